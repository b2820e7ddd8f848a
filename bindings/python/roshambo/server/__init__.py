"""roshambo.server: the game over Socket.IO, with a page to play it (``roshambo-server``).

Needs the ``server`` extra (``pip install roshambo[server]``). The engine is driven
only through the public API (``roshambo.Engine``); docs/server.md walks through it as
the worked example of embedding the engine in a server of your own.
"""

from .game import GameServer, Limits, find_client_js, token_for

__all__ = ["GameServer", "Limits", "find_client_js", "token_for"]
