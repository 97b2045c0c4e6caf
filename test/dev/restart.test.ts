// A worker of `rover dev` that dies while serving is reported and its build booted again on
// fresh threads, so serving resumes with a new Lua state. Lua code cannot end a worker thread
// (os.exit in a handler is a 500), so the test runs a DevSession in-process and ends the
// serving thread itself, as an uncaught error or a native crash would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";

// Node 24's test runner starts each test file with its whole option set in execArgv, some of
// which a Worker refuses; WorkerHandle passes execArgv on, so it is emptied first, as for a
// `rover dev` process started plainly. (Hence the import after it.)
process.execArgv.length = 0;
const { DevSession } = await import("../../cli/dev/session.ts");
type DevSession = InstanceType<typeof DevSession>;

const COUNTER_APP =
  "local api = rover.server {}\nlocal n = 0\n" +
  "function api.get(ctx)\n  n = n + 1\n  return tostring(n)\nend\nreturn api\n";

/** The threads of the generation being served (private to Generations; reached for the test). */
function servingThreads(session: DevSession): Worker[] {
  const s = session as unknown as {
    generations: { current: { handles: { worker: Worker }[] } | null };
  };
  return (s.generations.current?.handles ?? []).map((h) => h.worker);
}

async function waitFor(probe: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out\n${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("a dev worker that crashes is reported, restarted, and serving resumes with a fresh Lua state", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rover-dev-restart-"));
  writeFileSync(join(dir, "app.lua"), COUNTER_APP);
  let out = "";
  let err = "";
  const session = new DevSession("app.lua", {
    workers: 1,
    flags: { port: 0, host: "127.0.0.1" },
    env: { ...process.env, PORT: "", HOST: "" },
    cwd: dir,
    out: (line) => (out += line + "\n"),
    err: (text) => (err += text + "\n"),
    color: false,
  });
  t.after(async () => {
    await session.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const output = () => `--- out\n${out}--- err\n${err}`;

  assert.equal(await session.start(), null, output());
  const url = /Rover listening on (http:\/\/\S+) /.exec(out)![1];
  const body = async () => (await fetch(url + "/")).text();
  assert.equal(await body(), "1");
  assert.equal(await body(), "2");

  const [thread] = servingThreads(session);
  await thread.terminate();
  await waitFor(() => /rover: restarted in \d+ ms/.test(out), output);
  assert.match(err, /rover: worker 0 crashed: exited unexpectedly with code 1; restarting it/);
  assert.notEqual(servingThreads(session)[0], thread);
  // A new Lua state: the counter starts over.
  assert.equal(await body(), "1");
});
