// The original mini-program client's sequence of events and payloads, spoken by
// socket.io-client (from the npm registry) to roshambo-server: hello with a generated
// uid, join with no payload, a choice as soon as start arrives, a tap that cycles the
// choice, and the result read the way that client reads it.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { io } from "socket.io-client";
import { startServer, once } from "./serverproc.mjs";

let server;
before(async () => {
  server = await startServer({ game_time_ms: 1000, bot_fill_after_ms: 0 }, ["--commands", "log.jsonl"]);
});
after(async () => {
  assert.equal(await server.stop(), 0);
});

// One original client: the page's state and handlers, minus the WeChat UI.
function originalClient(url, name, avatar, firstChoice) {
  const socket = io(url, { path: "/socket.io", reconnection: false }); // polling, then the websocket upgrade
  const me = { uid: randomUUID(), name, avatar, myChoice: firstChoice, you: null, results: [], movements: 0 };
  me.socket = socket;
  me.connected = new Promise((resolve) => {
    socket.on("connect", () => {
      socket.on("hi", (packet) => resolve(packet));
      socket.emit("hello", { user: { uid: me.uid, uname: name, uavatar: avatar } });
    });
  });
  socket.on("start", (packet) => {
    me.you = packet.roomUsers.find((user) => user.uid !== me.uid);
    me.gameTime = packet.gameTime;
    socket.emit("choice", { choice: me.myChoice });
  });
  socket.on("movement", () => { me.movements += 1; });
  socket.on("result", (packet) => {
    const myResult = packet.result.find((x) => x.uid == me.uid);
    const yourResult = packet.result.find((x) => x.uid != me.uid);
    let win = "nobody";
    if (myResult.roundScore == 0 && yourResult.roundScore == 0) win = "nobody";
    else if (myResult.roundScore > 0) win = "me";
    else win = "you";
    me.results.push({ win, myScore: myResult.totalScore, myStreak: myResult.winStreak, yourChoice: yourResult.choice });
  });
  me.startGame = () => socket.emit("join");
  me.switchChoice = () => {
    me.myChoice = me.myChoice + 1 === 4 ? 1 : me.myChoice + 1;
    socket.emit("choice", { choice: me.myChoice });
  };
  return me;
}

test("two original clients play two rounds", async () => {
  // Bob connects once Ann is in: two hellos racing would make either one the first.
  const ann = originalClient(server.url, "Ann", "https://example.invalid/a.png", 2); // rock
  assert.deepEqual(await ann.connected, { message: "welcome", nearby: 1 });
  const bob = originalClient(server.url, "Bob", "https://example.invalid/b.png", 1); // scissors
  assert.deepEqual(await bob.connected, { message: "welcome", nearby: 2 });

  // round 1: rock beats scissors
  let annStart = once(ann.socket, "start");
  ann.startGame();
  await once(ann.socket, "room");
  bob.startGame();
  await annStart;
  let results = Promise.all([once(ann.socket, "result"), once(bob.socket, "result")]);
  await results;
  assert.equal(ann.you.uname, "Bob");
  assert.equal(ann.you.uavatar, "https://example.invalid/b.png");
  assert.equal(ann.gameTime, 1);
  assert.deepEqual(ann.results[0], { win: "me", myScore: 1, myStreak: 1, yourChoice: 1 });
  assert.deepEqual(bob.results[0], { win: "you", myScore: 0, myStreak: 0, yourChoice: 2 });
  assert.equal(ann.movements, 1); // Bob's choice, never its value

  // round 2 ("再来"): Bob taps twice (scissors -> rock -> paper) and wins
  annStart = once(ann.socket, "start");
  const bobStart = once(bob.socket, "start");
  ann.startGame();
  bob.startGame();
  await Promise.all([annStart, bobStart]);
  await once(ann.socket, "movement"); // Bob's choice sent on start
  bob.switchChoice();
  bob.switchChoice();
  results = Promise.all([once(ann.socket, "result", () => true, 5000), once(bob.socket, "result", () => true, 5000)]);
  await results;
  assert.equal(bob.myChoice, 3);
  assert.deepEqual(bob.results[1], { win: "me", myScore: 1, myStreak: 1, yourChoice: 2 });
  assert.deepEqual(ann.results[1], { win: "you", myScore: 1, myStreak: 0, yourChoice: 3 });
  assert.equal(ann.movements, 1 + 3);

  ann.socket.close();
  bob.socket.close();
  // the engine got exactly that client's commands, in order, under its generated uid
  await new Promise((r) => setTimeout(r, 300));
  const log = server.read("log.jsonl").trim().split("\n").map((l) => JSON.parse(l)).filter((c) => c.type !== "tick");
  const bobs = log.filter((c) => c.from === bob.uid).map((c) => [c.type, c.data]);
  assert.deepEqual(bobs, [
    ["hello", { user: { uid: bob.uid, uname: "Bob", uavatar: "https://example.invalid/b.png" } }],
    ["join", {}],
    ["choice", { choice: 1 }],
    ["join", {}],
    ["choice", { choice: 1 }],
    ["choice", { choice: 2 }],
    ["choice", { choice: 3 }],
    ["disconnect", {}],
  ]);
});

test("a websocket-only client is refused politely on bad input and keeps playing", async () => {
  const socket = io(server.url, { transports: ["websocket"], reconnection: false });
  await once(socket, "connect");
  const errors = [];
  socket.on("error", (e) => errors.push(e.code));
  socket.emit("choice", { choice: 1 }); // before hello
  socket.emit("dance", {});
  socket.emit("choice", "rock");
  socket.emit("hello", { user: { uid: "node-1", uname: "N", uavatar: "" } });
  await once(socket, "hi");
  assert.deepEqual(errors, ["unknown_player", "unknown_command", "malformed"]);
  socket.close();
});
