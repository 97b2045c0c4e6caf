// `rover start` as a process: exit codes and messages for a port in use and startup errors,
// scripts that return no server, PORT/HOST and flag overrides, and a graceful SIGTERM that
// lets an in-flight request finish.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  spawnServer,
  waitListening,
  stopServer,
  startServer,
  buildFixture,
  buildLuaDist,
} from "./server-process.ts";
import { writeFixtureDist } from "./fixture-apps.ts";

const kitchen = () => buildFixture("apps/kitchen/app.lua");
const case13 = () => buildFixture("cases/case-13-json-body-content-type/routes.lua");

/** Builds a one-off Lua app from its source text. */
async function buildSource(source: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "rover-startup-"));
  writeFileSync(join(dir, "app.lua"), source);
  return buildLuaDist(join(dir, "app.lua"));
}

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
    const server = spawnServer(await kitchen(), { workers, port });
    assert.equal(await server.exited, 1);
    assert.match(server.stderr(), new RegExp(`Port ${port} is already in use on 127\\.0\\.0\\.1`));
    assert.doesNotMatch(server.stdout(), /Rover listening/);
  }
});

test("a second Rover on the same port is refused too (workers use reusePort)", async (t) => {
  const first = await startServer(t, await kitchen(), { workers: 2 });
  const port = Number(new URL(first.url).port);
  const second = spawnServer(await kitchen(), { workers: 1, port });
  assert.equal(await second.exited, 1);
  assert.match(second.stderr(), new RegExp(`Port ${port} is already in use`));
});

test("SIGTERM lets an in-flight request finish, then exits 0", async () => {
  const server = await waitListening(spawnServer(await kitchen(), { workers: 2 }));
  const slow = fetch(server.url + "/slow");
  await new Promise((r) => setTimeout(r, 100));
  server.child.kill("SIGTERM");
  const r = await slow;
  assert.deepEqual([r.status, await r.text()], [200, "done"]);
  assert.equal(await server.exited, 0);
});

test("a crashed worker is reported and replaced; the server keeps serving", async (t) => {
  const server = await waitListening(spawnServer(writeFixtureDist("crasher"), { workers: 1 }));
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
  const server = await waitListening(spawnServer(writeFixtureDist("crasher"), { workers: 1 }));
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
  const server = await waitListening(spawnServer(await case13(), { workers: 1 }));
  server.child.kill("SIGINT");
  assert.equal(await server.exited, 0);
});

// Each startup error of ROVER_API.md §1.5 and §7.1 that Rover keeps (and the ones it adds),
// through a real `rover start`: exit code 1, upstream's message (or Rover's) on stderr.
const STARTUP_ERRORS: [string, string, RegExp][] = [
  [
    "unknown method key",
    "function api.users.fetch(ctx) end",
    /^Rover failed to start: Unknown HTTP method 'fetch' at path '\/users'\. Valid methods: get, head, options, post, put, patch, delete$/m,
  ],
  ["empty parameter name", "function api.users.p_.get(ctx) end", /Empty parameter name at path '\/users'/],
  [
    "a value that is not a table or function",
    'api.version = "1.0"',
    /Invalid server config at path '\/': expected string key with table\/function value, got "version" = "1\.0"/,
  ],
  [
    "get and GET in one table",
    "function api.x.get() end function api.x.GET() end",
    /Duplicate route GET \/x/,
  ],
  [
    "the same method on sibling parameters",
    "function api.u.p_id.get() end function api.u.p_uid.get() end",
    /Conflicting routes GET \/u\/\{id\} and GET \/u\/\{uid\}: they match the same requests/,
  ],
  [
    "a '*' in a static segment",
    'api["a*b"].get = function() end',
    /Route segment 'a\*b' at path '\/' contains '\*'/,
  ],
  [
    "a '?' in a static segment",
    'api["a?b"].get = function() end',
    /Route segment 'a\?b' at path '\/' contains '\?'/,
  ],
  [
    "a '%' in a static segment",
    'api["a%20b"].get = function() end',
    /contains '%'.*write the segment decoded/,
  ],
  [
    "one parameter name twice in a path",
    "function api.o.p_id.u.p_id.get() end",
    /Duplicate parameter name 'id' at path '\/o\/\{id\}\/u\/\{id\}'/,
  ],
  [
    "bad middleware",
    "api.admin.before = 5",
    /Invalid middleware 'before' at path '\/admin': expected a function or a table of functions/,
  ],
  ["unknown config option", "", /Unknown option 'prot' in rover\.server config\. Valid options: host, port/],
  ["host that is not an IP literal", "", /Invalid 'host' in rover\.server config/],
  ["port out of range", "", /Invalid 'port' in rover\.server config/],
  ["port that is not a number", "", /Invalid 'port' in rover\.server config/],
  ["unknown log level", "", /log_level must be one of: debug, info, warn, error, nope/],
  ["body limit of the wrong type", "", /body_size_limit should be a positive number, or 0 to disable/],
  ["an upstream-only feature", "", /Option 'cors_origin' of rover\.server is not supported by Rover/],
];
const CONFIGS: Record<string, string> = {
  "unknown config option": "prot = 1",
  "host that is not an IP literal": 'host = "example.com"',
  "port out of range": "port = 70000",
  "port that is not a number": 'port = "eighty"',
  "unknown log level": 'log_level = "loud"',
  "body limit of the wrong type": 'body_size_limit = "1mb"',
  "an upstream-only feature": 'cors_origin = "*"',
};

for (const [name, routes, message] of STARTUP_ERRORS) {
  test(`startup error, exit code 1: ${name}`, async () => {
    const config = CONFIGS[name] ?? "";
    const dist = await buildSource(`local api = rover.server { ${config} }\n${routes}\nreturn api\n`);
    const server = spawnServer(dist, { workers: 2, port: undefined });
    assert.equal(await server.exited, 1);
    assert.match(server.stderr(), message);
    assert.doesNotMatch(server.stderr(), /stack traceback/);
    assert.doesNotMatch(server.stdout(), /Rover listening/);
  });
}

test("a handler stored under a root builder name is reported at startup; the app still serves", async (t) => {
  const dist = await buildSource(
    "local api = rover.server {}\nfunction api.get() return 1 end\nfunction api.sse.get() end\nreturn api\n",
  );
  const server = await startServer(t, dist, { workers: 2 });
  assert.equal(
    server.stderr().match(/api\.sse\.get is never served: 'sse' is a response builder on the root api table/g)
      ?.length,
    1,
    "said once, not once per worker",
  );
  assert.equal(await (await fetch(server.url + "/")).text(), "1");
  assert.equal((await fetch(server.url + "/sse")).status, 404);
});

test("a script that returns no server runs once and exits 0", async () => {
  const server = spawnServer(await buildSource('print("hello from a script")\n'), { workers: 3 });
  assert.equal(await server.exited, 0);
  assert.equal(server.stdout(), "hello from a script\n");
});

test("PORT and HOST override the config; flags override the environment", async (t) => {
  const busy = await occupyPort();
  const free = portOf(busy);
  await new Promise((r) => busy.close(r));
  const byEnv = await startServer(t, await case13(), {
    port: undefined,
    env: { PORT: String(free), HOST: "localhost" },
  });
  assert.equal(byEnv.url, `http://127.0.0.1:${free}`);
  await stopServer(byEnv);
  const byFlag = await startServer(t, await case13(), { port: 0, env: { PORT: String(free) } });
  assert.notEqual(byFlag.url, `http://127.0.0.1:${free}`);
  const bad = spawnServer(await case13(), { port: undefined, env: { PORT: "eighty" } });
  assert.equal(await bad.exited, 1);
  assert.match(bad.stderr(), /Invalid PORT environment variable/);
});
