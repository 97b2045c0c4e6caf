// `rover dev` as a user runs it: a child process in a temp dir, files edited on disk while a
// client keeps sending requests. Swaps drop no request and show each edit within 1 s; a
// syntax error or a failing boot keeps the last good build serving; new modules are picked up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, get } from "node:http";
import { mkdtempSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

interface DevProcess {
  dir: string;
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | string>;
}

function appWith(body: string, header = ""): string {
  return `local api = rover.server {}\n${header}function api.get(ctx)\n  return ${body}\nend\nreturn api\n`;
}

/** Writes a file the way many editors do: a temp file renamed over the old one. */
function save(dir: string, name: string, text: string): void {
  const tmp = join(dir, `.${name}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(dir, name));
}

async function startDev(
  t: { after(fn: () => Promise<void>): void },
  files: Record<string, string>,
  args: string[] = [],
): Promise<DevProcess> {
  const dir = mkdtempSync(join(tmpdir(), "rover-dev-test-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const child = spawn(process.execPath, [MAIN, "dev", "app.lua", "--port", "0", ...args], {
    cwd: dir,
    env: { ...process.env, PORT: "", HOST: "", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const dev: DevProcess = { dir, url: "", child, stdout: () => out, stderr: () => err, exited };
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  const m = await waitFor(() => /Rover listening on (http:\/\/\S+) /.exec(dev.stdout()), dev);
  dev.url = m[1];
  return dev;
}

/** Polls until `probe` gives a value; fails with the process output after `timeoutMs`. */
async function waitFor<T>(
  probe: () => T | null | undefined | false | Promise<T | false>,
  dev: DevProcess,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== null && v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out\n--- stdout\n${dev.stdout()}\n--- stderr\n${dev.stderr()}`);
}

/**
 * A GET through a keep-alive agent, the way browsers talk to a dev server. (Node's fetch is
 * used elsewhere; after a swap, undici 7 opens a new connection for every request, and a
 * connection that reaches a listener in the instant it closes is reset by Linux unless
 * net.ipv4.tcp_migrate_req is set: see cli/dev/dev-worker.ts, drain.)
 */
function keepAliveGet(url: string, agent: Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
      res.on("error", reject);
    }).on("error", reject);
  });
}

async function body(url: string): Promise<string> {
  const r = await fetch(url);
  return `${r.status} ${await r.text()}`;
}

test("ten edits under continuous requests: no failed request, each edit served", async (t) => {
  const dev = await startDev(t, { "app.lua": appWith('"v0"') });
  const failures: string[] = [];
  const firstSeen = new Map<string, number>();
  let requests = 0;
  let running = true;
  const agent = new Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const client = async () => {
    while (running) {
      try {
        const { status, text } = await keepAliveGet(dev.url + "/", agent);
        requests++;
        if (status !== 200) failures.push(`${status} ${text}`);
        else if (!firstSeen.has(text)) firstSeen.set(text, Date.now());
      } catch (e) {
        failures.push(String(e));
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  const clients = [client(), client()];
  const delays: number[] = [];
  try {
    for (let i = 1; i <= 10; i++) {
      const savedAt = Date.now();
      save(dev.dir, "app.lua", appWith(`"v${i}"`));
      delays.push((await waitFor(() => firstSeen.get(`v${i}`), dev, 5000)) - savedAt);
      // Saves come at a human pace (0.3 to 0.75 s apart), still far faster than most editing.
      await new Promise((r) => setTimeout(r, 250 + 50 * i));
    }
  } finally {
    running = false;
    await Promise.all(clients);
  }
  // Latency is measured by bench/dev.ts (target: under 300 ms); on a loaded CI machine this test
  // only guards against edits that are never or very late served.
  assert.ok(Math.max(...delays) < 4000, `edit-to-served times (ms): ${delays.join(" ")}\n${dev.stdout()}`);
  assert.deepEqual(failures.slice(0, 5), [], dev.stderr());
  assert.ok(requests > 100, `only ${requests} requests`);
  assert.match(dev.stdout(), /rover: app\.lua changed, rebuilt in \d+ ms, serving/);
});

test("a syntax error keeps the last good build serving and prints the diagnostic; the fix recovers", async (t) => {
  const dev = await startDev(t, { "app.lua": appWith('"good"') });
  save(dev.dir, "app.lua", appWith('"broken" +'));
  await waitFor(() => /build failed; still serving the last good build/.test(dev.stderr()), dev);
  assert.match(dev.stderr(), /^app\.lua:4:1: error\[syntax\]: .*\n(.*\n)*> 4 \| end\n/m);
  assert.equal(await body(dev.url + "/"), "200 good");
  save(dev.dir, "app.lua", appWith('"fixed"'));
  await waitFor(async () => (await body(dev.url + "/")) === "200 fixed", dev);
  await waitFor(() => /app\.lua changed, rebuilt in \d+ ms, serving/.test(dev.stdout()), dev);
});

test("a Lua error at top level keeps the old build serving and prints the error with its line", async (t) => {
  const dev = await startDev(t, { "app.lua": appWith('"good"') });
  save(dev.dir, "app.lua", appWith('"bad"', "local cfg = nil\nlocal port = cfg.port\n"));
  await waitFor(() => /the new build failed to start; still serving/.test(dev.stderr()), dev);
  assert.match(dev.stderr(), /app\.lua:3: attempt to index local 'cfg' \(a nil value\)/);
  assert.match(dev.stderr(), /> 3 \| local port = cfg\.port/);
  assert.equal(await body(dev.url + "/"), "200 good");
});

test("a module added to the require graph is built, watched, and its edits served", async (t) => {
  const dev = await startDev(t, { "app.lua": appWith('"one"') });
  // The require comes first: the module is missing, the build fails to boot, the old one serves.
  save(dev.dir, "app.lua", appWith("extra.word", 'local extra = require("extra")\n'));
  await waitFor(() => /failed to start/.test(dev.stderr()), dev);
  assert.equal(await body(dev.url + "/"), "200 one");
  save(dev.dir, "extra.lua", 'return { word = "two" }\n');
  await waitFor(async () => (await body(dev.url + "/")) === "200 two", dev);
  save(dev.dir, "extra.lua", 'return { word = "three" }\n');
  await waitFor(async () => (await body(dev.url + "/")) === "200 three", dev);
  assert.match(dev.stdout(), /\.\/extra\.lua changed, rebuilt in \d+ ms, serving/);
});

test("a handler error logs a code frame of the Lua line; Ctrl-C exits 0", async (t) => {
  const dev = await startDev(t, {
    "app.lua": appWith("nil", "function api.boom.get(ctx)\n  local missing = nil\n  return missing.x\nend\n"),
  });
  const r = await fetch(dev.url + "/boom");
  assert.equal(r.status, 500);
  await waitFor(() => /> 4 \| {3}return missing\.x/.test(dev.stderr()), dev);
  assert.match(dev.stderr(), /app\.lua:4: attempt to index local 'missing' \(a nil value\)/);
  dev.child.kill("SIGINT");
  assert.equal(await dev.exited, 0);
});
