// A real roshambo-server for the Node tests: `python -m roshambo.server --port 0` from
// the installed package ($PYTHON, default python3), in a scratch directory, stopped with
// SIGTERM. Every wait is bounded.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export async function startServer(config = {}, args = [], { timeoutMs = 20000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "roshambo-server-"));
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(config));
  const python = process.env.PYTHON || "python3";
  // The page's Socket.IO client: the one `npm ci` put in this checkout, unless set.
  const clientJs = process.env.ROSHAMBO_SOCKETIO_JS ||
    fileURLToPath(new URL("../../node_modules/socket.io-client/dist/socket.io.min.js", import.meta.url));
  const proc = spawn(python, ["-m", "roshambo.server", "--port", "0", "--config", configPath, ...args], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ROSHAMBO_SOCKETIO_JS: clientJs },
  });
  let stderr = "";
  proc.stderr.on("data", (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => { proc.kill("SIGKILL"); reject(new Error("server did not start: " + stderr)); }, timeoutMs);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s/]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  proc.removeAllListeners("exit");
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => resolve(code ?? signal)));
  return {
    url,
    dir,
    stderr: () => stderr,
    read: (name) => readFileSync(join(dir, name), "utf8"),
    async stop(waitMs = 15000) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      let timer;
      const code = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r("timeout"), waitMs); })]);
      clearTimeout(timer);
      if (code === "timeout") proc.kill("SIGKILL");
      return code;
    },
  };
}

// Resolves with the first `event` whose payload passes `pred`, or rejects after `ms`.
export function once(socket, event, pred = () => true, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { socket.off(event, on); reject(new Error(`no ${event} within ${ms} ms`)); }, ms);
    function on(data) {
      if (!pred(data)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolve(data);
    }
    socket.on(event, on);
  });
}
