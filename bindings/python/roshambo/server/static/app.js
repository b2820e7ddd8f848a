// The roshambo page: one Socket.IO connection speaking the original protocol
// (hello, join, choice, face, leave in; hi, room, start, movement, leave, result,
// presence, resume, error out). It keeps no rules of its own: it shows what the
// server says.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const AVATARS = ["🦊", "🐼", "🐯", "🐸", "🐙", "🦉", "🐧", "🦄"];
  const CHOICE = { 0: "—", 1: "✌️", 2: "✊", 3: "✋" };
  const CHOICE_NAME = { 0: "none", 1: "scissors", 2: "rock", 3: "paper" };
  const FACE = { 1: "😂", 2: "😭", 3: "😠", 4: "😏" };
  const params = new URLSearchParams(location.search);

  const state = {
    uid: params.get("uid") || localStorage.getItem("roshambo.uid") || "",
    name: params.get("name") || localStorage.getItem("roshambo.name") || "",
    avatar: localStorage.getItem("roshambo.avatar") || AVATARS[Math.floor(Math.random() * AVATARS.length)],
    socket: null,
    replaced: false, // the session moved to another window: do not reconnect
    info: null, // GET /info: host clock, Socket.IO path, capacity
    offset: 0, // host time - Date.now(), from /info
    room: null, // {id, users: [{uid, uname, uavatar}], full, phase, deadline}
    choice: 0,
    chosen: new Set(), // members seen choosing this round
    offline: new Set(),
    met: new Map(), // uid -> {uname, uavatar, totalScore, winStreak}
    me: { totalScore: 0, winStreak: 0 },
    timer: 0,
  };
  if (!state.uid) state.uid = "p-" + Math.random().toString(36).slice(2, 10);

  // ---------------------------------------------------------------- helpers
  function show(section, on) { $(section).hidden = !on; }
  function text(el, s) { el.textContent = s; return el; }
  function el(tag, cls, content) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = content;
    return e;
  }
  let toastTimer = 0;
  function toast(msg, kind) {
    const t = $("toast");
    t.textContent = msg;
    t.className = "toast " + (kind || "");
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
  }
  function setStatus(s) {
    const st = $("status");
    st.textContent = s;
    st.className = "status " + (s === "online" ? "on" : "off");
  }
  function hostNow() { return Date.now() + state.offset; }

  // ------------------------------------------------------------------ login
  function renderAvatars() {
    const box = $("avatars");
    box.textContent = "";
    for (const a of AVATARS) {
      const b = el("button", "avatar-pick" + (a === state.avatar ? " picked" : ""), a);
      b.setAttribute("role", "radio");
      b.setAttribute("aria-checked", String(a === state.avatar));
      b.onclick = () => { state.avatar = a; renderAvatars(); };
      box.appendChild(b);
    }
  }

  async function fetchInfo() {
    const t0 = Date.now();
    const r = await fetch("/info", { cache: "no-store" });
    const info = await r.json();
    state.offset = info.now - Math.round((t0 + Date.now()) / 2);
    state.info = info;
  }

  async function play() {
    const name = $("name").value.trim();
    if (!name) { toast("Pick a name first", "bad"); $("name").focus(); return; }
    state.name = name;
    localStorage.setItem("roshambo.uid", state.uid);
    localStorage.setItem("roshambo.name", name);
    localStorage.setItem("roshambo.avatar", state.avatar);
    $("play").disabled = true;
    try {
      await fetchInfo();
    } catch (e) {
      toast("Server unreachable", "bad");
      $("play").disabled = false;
      return;
    }
    connect();
  }

  function hello() {
    const data = { user: { uid: state.uid, uname: state.name, uavatar: state.avatar } };
    if (params.get("token")) data.token = params.get("token");
    state.socket.emit("hello", data);
  }

  function connect() {
    if (typeof io !== "function") { toast("Socket.IO client missing on the server", "bad"); return; }
    const s = io({ path: state.info.path, transports: ["websocket", "polling"] });
    state.socket = s;
    let again = false;
    s.on("connect", () => {
      setStatus("online");
      // After a drop the seat is only ours again if the server says resume.
      if (again) { state.room = null; stopCountdown(); }
      again = true;
      hello();
    });
    s.on("disconnect", (reason) => {
      // socket.io-client reconnects by itself after a lost transport, not after the
      // server closed the connection: do it, unless the session went to another window.
      if (reason === "io server disconnect" && !state.replaced) {
        setStatus("reconnecting");
        setTimeout(() => s.connect(), 500 + Math.random() * 1000);
        return;
      }
      setStatus(reason === "io server disconnect" ? "closed" : "reconnecting");
    });
    s.on("hi", onHi);
    s.on("room", onRoom);
    s.on("start", onStart);
    s.on("movement", onMovement);
    s.on("leave", onLeave);
    s.on("presence", onPresence);
    s.on("resume", onResume);
    s.on("result", onResult);
    s.on("error", onError);
  }

  // ----------------------------------------------------------------- events
  function onHi(d) {
    const n = $("nearby");
    n.hidden = false;
    text(n, d.nearby + " nearby");
    show("login", false);
    text($("me-avatar"), state.avatar);
    text($("me-name"), state.name);
    if (!state.room) enterLobby("");
  }

  function enterLobby(note) {
    state.room = null;
    stopCountdown();
    show("room", false);
    show("lobby", true);
    $("join").disabled = false;
    text($("lobby-note"), note);
  }

  function onRoom(d) {
    const same = state.room && state.room.id === d.roomId;
    state.room = { id: d.roomId, users: d.users, full: d.full, phase: same ? state.room.phase : "waiting", deadline: 0 };
    if (!same) { state.choice = 0; state.chosen.clear(); }
    for (const u of d.users) meet(u);
    renderRoom();
  }

  function onStart(d) {
    const users = d.roomUsers.map((u) => ({ uid: u.uid, uname: u.uname, uavatar: u.uavatar }));
    state.room = { id: d.roomId, users, full: true, phase: "playing", deadline: d.deadline, gameTime: d.gameTime };
    state.choice = 0;
    state.chosen.clear();
    for (const u of d.roomUsers) meet(u, u);
    text($("verdict-head"), "Last round");
    renderRoom();
    startCountdown();
  }

  function onResume(d) {
    state.room = { id: d.roomId, users: d.users, full: d.full, phase: d.phase, deadline: d.deadline || 0 };
    state.choice = d.choice || 0;
    state.chosen.clear();
    if (state.choice) state.chosen.add(state.uid);
    for (const u of d.users) meet(u);
    renderRoom();
    if (d.phase === "playing") startCountdown();
    toast("Back in " + d.roomId, "good");
  }

  function onMovement(d) {
    const li = document.querySelector('#members li[data-uid="' + CSS.escape(d.uid) + '"]');
    if (d.movement === "choice") {
      state.chosen.add(d.uid);
      if (li) li.classList.add("chosen");
    }
    if (li) {
      const bubble = li.querySelector(".bubble");
      bubble.textContent = d.movement === "face" ? FACE[d.face] || "?" : "✔";
      bubble.classList.remove("pop");
      void bubble.offsetWidth; // restart the animation
      bubble.classList.add("pop");
    }
  }

  function onLeave(d) {
    if (!state.room) return;
    state.room.users = state.room.users.filter((u) => u.uid !== d.uid);
    state.room.full = false;
    renderRoom();
  }

  function onPresence(d) {
    if (d.online) state.offline.delete(d.uid); else state.offline.add(d.uid);
    renderRoom();
  }

  function onResult(d) {
    stopCountdown();
    const body = $("result-table").tBodies[0];
    body.textContent = "";
    let mine = null;
    for (const r of d.result) {
      const u = (state.room && state.room.users.find((x) => x.uid === r.uid)) || state.met.get(r.uid) || {};
      const tr = el("tr", r.uid === state.uid ? "mine" : "");
      tr.dataset.uid = r.uid;
      const who = el("td", "who");
      who.append(el("span", "avatar", u.uavatar || (r.bot ? "🤖" : "🙂")), el("span", "", (u.uname || r.uid) + (r.bot ? " (bot)" : "")));
      tr.append(who, el("td", "c", CHOICE[r.choice]), el("td", "", r.wins), el("td", "", r.losses),
        el("td", "", r.base), el("td", "", r.roundScore), el("td", "", r.totalScore), el("td", "", r.winStreak));
      tr.children[1].title = CHOICE_NAME[r.choice];
      body.appendChild(tr);
      if (!r.bot) meet(u.uid ? u : { uid: r.uid }, r);
      if (r.uid === state.uid) mine = r;
    }
    let verdict = "Round over";
    if (mine) {
      state.me = { totalScore: mine.totalScore, winStreak: mine.winStreak };
      verdict = mine.base > 0 ? "You win! +" + mine.roundScore : mine.base < 0 ? "You lose" : "Draw";
    }
    text($("verdict-head"), "This round");
    text($("verdict"), verdict);
    show("result", true);
    renderBoard();
    enterLobby("");
    text($("me-total"), state.me.totalScore);
    text($("me-streak"), state.me.winStreak);
  }

  function onError(d) {
    if (d.code === "replaced") {
      state.replaced = true;
      toast("You are playing in another window", "bad");
      setStatus("closed");
      return;
    }
    if (d.code === "game_in_progress" || d.code === "not_in_room" || d.code === "not_playing") {
      toast(d.message, "");
      return;
    }
    toast(d.code + ": " + d.message, "bad");
  }

  // --------------------------------------------------------------- the room
  function meet(u, score) {
    if (!u || !u.uid || u.uid.startsWith("bot-")) return;
    const m = state.met.get(u.uid) || { uname: u.uid, uavatar: "", totalScore: 0, winStreak: 0 };
    if (u.uname !== undefined) m.uname = u.uname || u.uid;
    if (u.uavatar !== undefined) m.uavatar = u.uavatar;
    if (score) { m.totalScore = score.totalScore; m.winStreak = score.winStreak; }
    state.met.set(u.uid, m);
  }

  function renderRoom() {
    const r = state.room;
    if (!r) return;
    show("lobby", false);
    show("room", true);
    text($("room-id"), r.id);
    const cap = state.info ? state.info.capacity : r.users.length;
    text($("seats"), r.users.length + "/" + cap + " seats" + (r.phase === "playing" ? " · playing" : r.full ? " · full" : " · waiting"));
    const ul = $("members");
    ul.textContent = "";
    for (const u of r.users) {
      const li = el("li", (u.uid === state.uid ? "me " : "") + (state.chosen.has(u.uid) ? "chosen " : "") + (state.offline.has(u.uid) ? "offline" : ""));
      li.dataset.uid = u.uid;
      li.append(el("span", "avatar", u.uavatar || (u.uid.startsWith("bot-") ? "🤖" : "🙂")),
        el("span", "uname", u.uname || u.uid), el("span", "bubble"));
      ul.appendChild(li);
    }
    const playing = r.phase === "playing";
    for (const b of document.querySelectorAll(".choice")) {
      b.disabled = !playing;
      const on = Number(b.dataset.choice) === state.choice;
      b.classList.toggle("current", on);
      b.setAttribute("aria-pressed", String(on));
    }
    if (!playing) {
      text($("countdown"), r.full ? "starting…" : "waiting for players…");
      $("bar-fill").style.width = "0";
    }
  }

  function startCountdown() {
    stopCountdown();
    const r = state.room;
    const total = (r.gameTime || 3) * 1000;
    const tick = () => {
      const left = Math.max(0, r.deadline - hostNow());
      text($("countdown"), (left / 1000).toFixed(1) + " s");
      $("bar-fill").style.width = Math.min(100, (100 * left) / total) + "%";
    };
    tick();
    state.timer = setInterval(tick, 100);
  }
  function stopCountdown() { clearInterval(state.timer); state.timer = 0; }

  function renderBoard() {
    const ol = $("leaderboard");
    ol.textContent = "";
    const rows = [...state.met.entries()].sort((a, b) => b[1].totalScore - a[1].totalScore || a[0].localeCompare(b[0]));
    for (const [uid, m] of rows) {
      const li = el("li", uid === state.uid ? "me" : "");
      li.dataset.uid = uid;
      li.append(el("span", "avatar", m.uavatar || "🙂"), el("span", "uname", m.uname),
        el("span", "streak", m.winStreak ? "🔥" + m.winStreak : ""), el("span", "total", m.totalScore));
      ol.appendChild(li);
    }
    show("board", rows.length > 0);
  }

  // ---------------------------------------------------------------- controls
  $("name").value = state.name;
  renderAvatars();
  // A returning player (a reload, a dropped tab) goes straight back in: with a
  // reconnection grace the server answers hello with resume and the seat is kept.
  if (localStorage.getItem("roshambo.name")) play();
  $("play").onclick = play;
  $("name").addEventListener("keydown", (e) => { if (e.key === "Enter") play(); });
  $("join").onclick = () => {
    $("join").disabled = true;
    text($("lobby-note"), "looking for a room…");
    state.socket.emit("join");
  };
  $("leave").onclick = () => {
    state.socket.emit("leave");
    enterLobby("you left the room");
  };
  for (const b of document.querySelectorAll(".choice")) {
    b.onclick = () => {
      state.choice = Number(b.dataset.choice);
      state.chosen.add(state.uid);
      state.socket.emit("choice", { choice: state.choice });
      renderRoom();
    };
  }
  for (const b of document.querySelectorAll(".face")) {
    b.onclick = () => state.socket.emit("face", { face: Number(b.dataset.face) });
  }
})();
