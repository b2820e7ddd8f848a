// The page in a real browser: Debian's chromium driven by playwright-core (both from
// the setup script; no browser is downloaded). Two phone-sized pages play a round
// against each other, and one plays a bot, drops (a reload) and resumes its seat.
// Screenshots go to $ROSHAMBO_SERVER_OUT (default build/server-test).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./serverproc.mjs";

const OUT = process.env.ROSHAMBO_SERVER_OUT || fileURLToPath(new URL("../../build/server-test", import.meta.url));
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const WAIT = { timeout: 10000 };

let browser;
const servers = [];
before(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true, // playwright gives every launch a fresh --user-data-dir
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    timeout: 30000,
  });
});
after(async () => {
  if (browser) await browser.close();
  for (const s of servers) assert.equal(await s.stop(), 0, s.stderr());
});

async function phone(url, uid, name, avatar) {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  await page.goto(`${url}/?uid=${uid}`);
  await page.fill("#name", name);
  await page.click(`.avatar-pick:nth-child(${avatar})`);
  await page.click("#play");
  await page.locator("#lobby").waitFor(WAIT);
  page.problems = problems;
  return page;
}

const text = (page, sel) => page.locator(sel).innerText();

test("two pages play a round against each other", async () => {
  const server = await startServer({ game_time_ms: 4000, bot_fill_after_ms: 0 });
  servers.push(server);
  const ann = await phone(server.url, "ann", "Ann", 1);
  assert.equal(await text(ann, "#status"), "online");
  assert.equal(await text(ann, "#nearby"), "1 nearby");
  const bob = await phone(server.url, "bob", "Bob", 2);
  assert.equal(await text(bob, "#nearby"), "2 nearby");

  await ann.click("#join");
  await ann.locator("#room").waitFor(WAIT);
  assert.match(await text(ann, "#seats"), /^1\/2 seats · waiting$/);
  assert.equal(await ann.locator("#members li").count(), 1);
  assert.ok(await ann.locator(".choice").first().isDisabled()); // nothing to choose before start

  await bob.click("#join");
  for (const p of [ann, bob]) {
    await p.locator("#seats", { hasText: "playing" }).waitFor(WAIT);
    assert.match(await text(p, "#countdown"), /^\d\.\d s$/);
    assert.deepEqual(await p.locator("#members li").evaluateAll((els) => els.map((e) => e.dataset.uid)), ["ann", "bob"]);
  }
  assert.equal(await text(ann, "#room-id"), await text(bob, "#room-id"));

  // Ann picks paper, then changes to rock: only the current choice is highlighted
  await ann.click('.choice[data-choice="3"]');
  await ann.click('.choice[data-choice="2"]');
  assert.deepEqual(await ann.locator(".choice").evaluateAll((els) => els.map((e) => e.getAttribute("aria-pressed"))),
    ["false", "true", "false"]);
  await bob.locator('#members li[data-uid="ann"].chosen').waitFor(WAIT); // Bob sees that Ann chose, not what
  await bob.click('.choice[data-choice="1"]');
  await ann.locator('#members li[data-uid="bob"].chosen').waitFor(WAIT);
  await bob.click('.face[data-face="1"]');
  await ann.locator('#members li[data-uid="bob"] .bubble.pop', { hasText: "😂" }).waitFor(WAIT);
  await ann.screenshot({ path: join(OUT, "page-round1.png") });

  for (const p of [ann, bob]) await p.locator("#result").waitFor(WAIT);
  assert.equal(await text(ann, "#verdict"), "You win! +1");
  assert.equal(await text(bob, "#verdict"), "You lose");
  const rows = await ann.locator("#result-table tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.uid, ...[...tr.children].slice(1).map((td) => td.textContent)]));
  assert.deepEqual(rows, [
    ["ann", "✊", "1", "0", "1", "1", "1", "1"], // choice, W, L, base, round, total, streak
    ["bob", "✌️", "0", "1", "-1", "0", "0", "0"],
  ]);
  assert.deepEqual(await ann.locator("#leaderboard li").evaluateAll((els) => els.map((e) => e.dataset.uid)), ["ann", "bob"]);
  assert.equal(await text(ann, "#me-total"), "1");
  await ann.locator("#lobby").waitFor(WAIT); // ready for the next round
  await ann.screenshot({ path: join(OUT, "page-result.png"), fullPage: true });

  // round 2: the last round's table and the leaderboard stay under the room
  await ann.click("#join");
  await bob.click("#join");
  await ann.locator("#seats", { hasText: "playing" }).waitFor(WAIT);
  assert.equal(await text(ann, "#verdict-head"), "Last round");
  await ann.click('.choice[data-choice="3"]');
  await bob.click('.face[data-face="4"]');
  await ann.locator('#members li[data-uid="bob"] .bubble.pop', { hasText: "😏" }).waitFor(WAIT);
  await ann.waitForTimeout(250); // the emote at its full size
  await ann.screenshot({ path: join(OUT, "page-playing.png"), fullPage: true });
  // leaving mid-round: Bob is told, Ann is back in the lobby
  await ann.click("#leave");
  await ann.locator("#lobby").waitFor(WAIT);
  await bob.locator("#members li").first().waitFor(WAIT);
  await bob.waitForFunction(() => document.querySelectorAll("#members li").length === 1, null, WAIT);
  assert.equal(await bob.locator("#members li").first().getAttribute("data-uid"), "bob");
  assert.deepEqual([...ann.problems, ...bob.problems], []);
  await ann.context().close();
  await bob.context().close();
});

test("one page plays a bot, reloads mid-round and keeps its seat", async () => {
  const server = await startServer({ game_time_ms: 4000, bot_fill_after_ms: 300, reconnect_grace_ms: 5000 }, ["--seed", "3"]);
  servers.push(server);
  const cy = await phone(server.url, "cy", "Cy", 3);
  await cy.click("#join");
  await cy.locator("#seats", { hasText: "playing" }).waitFor(WAIT);
  assert.deepEqual(await cy.locator("#members li").evaluateAll((els) => els.map((e) => e.dataset.uid)), ["cy", "bot-1"]);
  await cy.click('.choice[data-choice="3"]');
  const room = await text(cy, "#room-id");

  await cy.reload(); // the connection drops; the saved player says hello again
  await cy.locator("#seats", { hasText: "playing" }).waitFor(WAIT);
  assert.equal(await text(cy, "#room-id"), room);
  assert.equal(await cy.locator('.choice[data-choice="3"]').getAttribute("aria-pressed"), "true");

  await cy.locator("#result").waitFor(WAIT);
  const rows = await cy.locator("#result-table tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.uid, tr.children[0].textContent, tr.children[1].textContent, Number(tr.children[4].textContent)]));
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0].slice(0, 3), ["cy", "🐯Cy", "✋"]);
  assert.equal(rows[1][0], "bot-1");
  assert.match(rows[1][1], /\(bot\)$/);
  const verdict = await text(cy, "#verdict");
  assert.equal(verdict, rows[0][3] > 0 ? "You win! +1" : rows[0][3] < 0 ? "You lose" : "Draw");
  assert.deepEqual(cy.problems, []);
  await cy.context().close();
});
