"""Type stubs of the native module roshambo._core (re-exported by `roshambo`)."""

from collections.abc import Callable, Mapping
from typing import Any, SupportsIndex, final

__version__: str

class ConfigError(ValueError):
    """An invalid configuration or simulate option; ``field`` names it."""

    field: str

class CommandError(Exception):
    """A command the engine refused (``strict=True``).

    ``code`` is the docs/RULES.md §7 code (``"unknown_player"``, ``"invalid_field"``, ...),
    ``message`` the text of the error event, ``events`` every event of the call: the
    timers that fired before the refusal and the error event last.
    """

    code: str
    message: str
    events: list[dict[str, Any]]

class SnapshotError(ValueError):
    """A snapshot that cannot be restored; nothing changed."""

class InvariantError(RuntimeError):
    """``verify()`` found a broken invariant: always a bug in roshambo."""

def config_fields() -> list[dict[str, Any]]:
    """Every config field (name, type, default, help, min/max or words), in canonical order."""

@final
class Config:
    """Engine configuration (docs/RULES.md §10). Immutable; unknown fields and out-of-range
    values raise :class:`ConfigError` naming the field."""

    def __init__(
        self,
        *,
        capacity: int = ...,
        game_time_ms: int = ...,
        bot_fill_after_ms: int = ...,
        bot_strategy: str = ...,
        scoring: str = ...,
        loss_penalty: bool = ...,
        streak_cap: int = ...,
        requeue: bool = ...,
        reconnect_grace_ms: int = ...,
        fill_policy: str = ...,
        max_players: int = ...,
        max_rooms: int = ...,
        seed: int = ...,
        max_uid_bytes: int = ...,
        max_name_bytes: int = ...,
        max_avatar_bytes: int = ...,
        max_command_bytes: int = ...,
    ) -> None: ...
    @staticmethod
    def from_dict(fields: Mapping[str, Any]) -> Config:
        """A config from a dict of fields (absent fields keep their defaults)."""
    @staticmethod
    def from_json(text: str | bytes) -> Config:
        """A config from a JSON object, as the CLI's ``--config`` file."""
    def to_json(self) -> str:
        """Canonical JSON with every field."""
    def to_dict(self) -> dict[str, Any]:
        """Every field, in canonical order."""
    def replace(self, **changes: Any) -> Config:
        """A copy with some fields changed (validated)."""
    @property
    def capacity(self) -> int: ...
    @property
    def game_time_ms(self) -> int: ...
    @property
    def bot_fill_after_ms(self) -> int: ...
    @property
    def bot_strategy(self) -> str: ...
    @property
    def scoring(self) -> str: ...
    @property
    def loss_penalty(self) -> bool: ...
    @property
    def streak_cap(self) -> int: ...
    @property
    def requeue(self) -> bool: ...
    @property
    def reconnect_grace_ms(self) -> int: ...
    @property
    def fill_policy(self) -> str: ...
    @property
    def max_players(self) -> int: ...
    @property
    def max_rooms(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def max_uid_bytes(self) -> int: ...
    @property
    def max_name_bytes(self) -> int: ...
    @property
    def max_avatar_bytes(self) -> int: ...
    @property
    def max_command_bytes(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __copy__(self) -> Config: ...
    def __deepcopy__(self, memo: object) -> Config: ...

@final
class Player:
    """Read-only copy of one player's state (bots included)."""

    @property
    def uid(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def avatar(self) -> str: ...
    @property
    def total_score(self) -> int: ...
    @property
    def win_streak(self) -> int: ...
    @property
    def online(self) -> bool: ...
    @property
    def bot(self) -> bool: ...
    @property
    def room(self) -> str | None:
        """Wire id of the player's room (``"room-3"``), or None."""
    def __eq__(self, other: object) -> bool: ...

@final
class Room:
    """Read-only copy of one open room."""

    @property
    def id(self) -> str:
        """Wire id, ``"room-<number>"``."""
    @property
    def number(self) -> int: ...
    @property
    def phase(self) -> str:
        """``"waiting"`` or ``"playing"``."""
    @property
    def opened_at(self) -> int: ...
    @property
    def deadline(self) -> int | None: ...
    @property
    def members(self) -> tuple[str, ...]:
        """Member uids in join order."""
    @property
    def choices(self) -> tuple[int, ...]:
        """Each member's current choice code (0 none, 1 scissors, 2 rock, 3 paper)."""

@final
class Stats:
    """Engine counters."""

    @property
    def players(self) -> int: ...
    @property
    def online(self) -> int: ...
    @property
    def bots(self) -> int: ...
    @property
    def rooms(self) -> int: ...
    @property
    def waiting_rooms(self) -> int: ...
    @property
    def rooms_settled(self) -> int: ...
    @property
    def timers(self) -> int: ...

@final
class Engine:
    """One lobby shard (docs/RULES.md §2–§8): command dicts and host time in, event dicts out.

    Not thread-safe (calls hold the GIL); run one engine per shard.
    """

    def __init__(self, config: Config | Mapping[str, Any] | None = None, *, seed: int | None = None) -> None:
        """``config`` is a :class:`Config`, a dict of fields or None (defaults);
        ``seed``, when given, overrides the config's seed."""
    def handle(self, command: Mapping[str, Any], now: SupportsIndex, *, strict: bool = False) -> list[dict[str, Any]]:
        """Fire the timers due by ``now`` (ms), then apply ``command``, a command-log
        line without ``at``: ``{"from": uid, "type": "join", "data": {}}``
        (``{"type": "tick"}`` only fires timers). Returns the events, a list of dicts
        that are yours (a result you dropped may be refilled by the next call; see
        docs/python.md, "Events"). A refused command
        gives an ``error`` event and changes nothing; with ``strict=True`` it raises
        :class:`CommandError` instead. A command that is not a dict, or holds values
        JSON cannot express, raises TypeError."""
    def handle_as(
        self, player: int, type: str, now: SupportsIndex, value: int = 0, *, strict: bool = False
    ) -> list[dict[str, Any]]:
        """:meth:`handle` for a trusted host that names the player by its handle
        (:meth:`find_player`) instead of a uid: ``type`` is a command type word
        ("join", "choice", …), ``value`` the choice or face code. The events are those
        of the same uid command, byte for byte; ``"hello"`` re-greets the player with
        its current name (a reconnect). An unknown type word raises ValueError."""
    def find_player(self, uid: str) -> int | None:
        """The handle of a registered player (its registration index, stable for the
        engine's life and across snapshots), or None."""
    def reserve(self, players: int) -> None:
        """Make room for ``players`` registered players in all (and the rooms that seat
        them at once), so a host that knows its lobby's size does not grow the tables
        hello by hello. Changes nothing observable; a negative count raises ValueError,
        one too large ValueError or MemoryError."""
    def tick(self, now: SupportsIndex, *, strict: bool = False) -> list[dict[str, Any]]:
        """Fire the timers due by ``now``; returns the events."""
    def next_deadline(self) -> int | None:
        """When the next timer is due, or None."""
    @property
    def now(self) -> int:
        """The latest time the engine has seen."""
    @property
    def config(self) -> Config: ...
    def snapshot(self) -> str:
        """The whole state as JSON (with a format version)."""
    @staticmethod
    def restore(snapshot: str | bytes) -> Engine:
        """An engine rebuilt from :meth:`snapshot`; raises :class:`SnapshotError`."""
    def digest(self) -> int:
        """64-bit hash of the whole state."""
    def verify(self) -> None:
        """Check every invariant; raises :class:`InvariantError`."""
    def player(self, uid: str) -> Player | None: ...
    def players(self) -> list[Player]:
        """Every player (bots included), in registration order."""
    def room(self, room_id: str | int) -> Room | None:
        """An open room by wire id (``"room-3"``) or number."""
    def rooms(self) -> list[Room]:
        """Every open room, by number."""
    def stats(self) -> Stats: ...
    def __copy__(self) -> Engine: ...
    def __deepcopy__(self, memo: object) -> Engine: ...

@final
class Replayer:
    def __init__(self, engine: Engine, digest_every: int = 0) -> None: ...
    def feed(self, line: str | bytes) -> list[dict[str, Any]]: ...
    @property
    def lines(self) -> int: ...

def simulate(
    config: Config,
    players: int,
    rounds: int,
    mix: str,
    pairing: str,
    shards: int,
    top: int,
    history: bool,
    command_log: str | None,
    event_log: str | None,
    progress: Callable[[int, int, int], object] | None,
) -> dict[str, Any]: ...
def strategies() -> list[tuple[str, str]]: ...

