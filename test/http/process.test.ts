// `rover start` as a process: exit codes and messages for a port in use and startup errors,
// scripts that return no server, PORT/HOST and flag overrides, and a graceful SIGTERM that
// lets an in-flight request finish.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { spawnServer, waitListening, stopServer, startServer } from "./server-process.ts";

function occupyPort(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen({ host: "127.0.0.1", port: 0 }, () => resolve(s));
  });
}

const portOf = (s: Server) => (s.address() as { port: number }).port;

test("a port in use is exit code 1 with a clear message", async (t) => {
  const busy = await occupyPort();
  t.after(() => busy.close());
  const port = portOf(busy);
  for (const workers of [1, 2]) {
    const server = spawnServer("kitchen", { workers, port });
    assert.equal(await server.exited, 1);
    assert.match(server.stderr(), new RegExp(`Port ${port} is already in use on 127\\.0\\.0\\.1`));
    assert.doesNotMatch(server.stdout(), /Rover listening/);
  }
});

test("a second Rover on the same port is refused too (workers use reusePort)", async (t) => {
  const first = await startServer(t, "kitchen", { workers: 2 });
  const port = Number(new URL(first.url).port);
  const second = spawnServer("kitchen", { workers: 1, port });
  assert.equal(await second.exited, 1);
  assert.match(second.stderr(), new RegExp(`Port ${port} is already in use`));
});

test("SIGTERM lets an in-flight request finish, then exits 0", async () => {
  const server = await waitListening(spawnServer("kitchen", { workers: 2 }));
  const slow = fetch(server.url + "/slow");
  await new Promise((r) => setTimeout(r, 100));
  server.child.kill("SIGTERM");
  const r = await slow;
  assert.deepEqual([r.status, await r.text()], [200, "done"]);
  assert.equal(await server.exited, 0);
});

test("a crashed worker is reported and replaced; the server keeps serving", async (t) => {
  const server = await waitListening(spawnServer("kitchen", { workers: 1 }));
  t.after(() => stopServer(server));
  await fetch(server.url + "/crash").catch(() => undefined);
  const deadline = Date.now() + 10000;
  while (!/Rover worker 0 restarted/.test(server.stderr()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(server.stderr(), /Rover worker 0 crashed: exited unexpectedly with code 3/);
  assert.match(server.stderr(), /Rover worker 0 restarted/);
  assert.equal((await fetch(server.url + "/")).status, 200);
});

test("a worker that keeps crashing stops the server with exit code 1", { timeout: 60000 }, async () => {
  const server = await waitListening(spawnServer("kitchen", { workers: 1 }));
  // Crash it again each time its replacement is serving, until the server gives up.
  for (let crashes = 0; crashes < 10 && server.child.exitCode === null; crashes++) {
    await fetch(server.url + "/crash").catch(() => undefined);
    const restarted = (n: number) => (server.stderr().match(/Rover worker 0 restarted/g) ?? []).length >= n;
    const deadline = Date.now() + 10000;
    while (!restarted(crashes + 1) && server.child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  assert.equal(await server.exited, 1);
  assert.match(server.stderr(), /workers crashed \d+ times in a minute; stopping/);
});

test("SIGINT closes too", async () => {
  const server = await waitListening(spawnServer("case13", { workers: 1 }));
  server.child.kill("SIGINT");
  assert.equal(await server.exited, 0);
});

test("route tree and config errors stop start-up with exit code 1", async () => {
  let server = spawnServer("unknownMethod", { workers: 2 });
  assert.equal(await server.exited, 1);
  assert.match(server.stderr(), /Unknown HTTP method 'fetch' at path '\/users'\. Valid methods: get, head/);
  server = spawnServer("badPort", { workers: 1, port: undefined });
  assert.equal(await server.exited, 1);
  assert.match(server.stderr(), /Invalid 'port' in rover\.server config/);
});

test("a script that returns no server runs once and exits 0", async () => {
  const server = spawnServer("script", { workers: 3 });
  assert.equal(await server.exited, 0);
  assert.equal(server.stdout(), "hello from a script\n");
});

test("PORT and HOST override the config; flags override the environment", async (t) => {
  const busy = await occupyPort();
  const free = portOf(busy);
  await new Promise((r) => busy.close(r));
  const byEnv = await startServer(t, "case13", {
    port: undefined,
    env: { PORT: String(free), HOST: "localhost" },
  });
  assert.equal(byEnv.url, `http://127.0.0.1:${free}`);
  await stopServer(byEnv);
  const byFlag = await startServer(t, "case13", { port: 0, env: { PORT: String(free) } });
  assert.notEqual(byFlag.url, `http://127.0.0.1:${free}`);
  const bad = spawnServer("case13", { port: undefined, env: { PORT: "eighty" } });
  assert.equal(await bad.exited, 1);
  assert.match(bad.stderr(), /Invalid PORT environment variable/);
});
