// The example app (examples/todos), compiled by the real compiler and served by `rover start`
// in a separate process, with 1 and 2 workers: every route the README shows, a handler
// error (500 without internals, logged with the Lua line) and malformed JSON (400).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildLuaDist, startServer } from "./server-process.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const APP = ROOT + "examples/todos/app.lua";

async function json(res: Response): Promise<unknown> {
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  return res.json();
}

for (const workers of [1, 2]) {
  test(`example todos app answers every route (${workers} worker(s))`, async (t) => {
    const server = await startServer(t, await buildLuaDist(APP), { workers });
    const url = server.url;
    assert.deepEqual(await json(await fetch(url + "/")), { service: "todos", version: "1.0" });

    const list = (await json(await fetch(url + "/todos"))) as { count: number; items: { title: string }[] };
    assert.equal(list.count, 2);
    assert.deepEqual(
      list.items.map((i) => i.title),
      ["Write the Rover README", "Benchmark against Fastify"],
    );
    const filtered = (await json(await fetch(url + "/todos?q=BENCH"))) as { count: number };
    assert.equal(filtered.count, 1);

    const one = await fetch(url + "/todos/1");
    assert.equal(one.status, 200);
    assert.deepEqual(await json(one), {
      id: 1,
      title: "Write the Rover README",
      done: false,
      tags: ["docs"],
    });

    const missing = await fetch(url + "/todos/99");
    assert.equal(missing.status, 404);
    assert.deepEqual(await json(missing), { error: "todo not found" });

    const html = await fetch(url + "/summary");
    assert.match(html.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(await html.text(), /<p>2 open of 2<\/p>/);

    const redirect = await fetch(url + "/docs", { redirect: "manual" });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get("location"), "/summary");

    const health = await fetch(url + "/health");
    assert.equal(await health.text(), "ok");

    if (workers === 1) {
      // State lives in the worker's Lua tables: the full create/update/delete cycle is visible.
      const created = await fetch(url + "/todos", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "Ship it ✓", tags: ["release"] }),
      });
      assert.equal(created.status, 201);
      assert.deepEqual(await json(created), { id: 3, title: "Ship it ✓", done: false, tags: ["release"] });
      const patched = await fetch(url + "/todos/3", {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: '{"done":true}',
      });
      assert.deepEqual(await json(patched), { id: 3, title: "Ship it ✓", done: true, tags: ["release"] });
      const done = (await json(await fetch(url + "/todos?done=true"))) as { count: number };
      assert.equal(done.count, 1);
      const deleted = await fetch(url + "/todos/3", { method: "DELETE" });
      assert.equal(deleted.status, 204);
      assert.equal((await deleted.arrayBuffer()).byteLength, 0);
      assert.equal((await fetch(url + "/todos/3")).status, 404);
    }

    const invalid = await fetch(url + "/todos", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"title": ',
    });
    assert.equal(invalid.status, 400);
    assert.equal(typeof ((await json(invalid)) as { error: unknown }).error, "string");

    const untitled = await fetch(url + "/todos", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(untitled.status, 422);

    const boom = await fetch(url + "/boom");
    assert.equal(boom.status, 500);
    const text = await boom.text();
    assert.equal(text, '{"error":"Internal Server Error"}');
    // The log names the Lua file and line of the failing handler.
    const deadline = Date.now() + 2000;
    while (!/app\.lua:\d+: attempt to index local 'missing'/.test(server.stdout()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(
      server.stdout(),
      /examples\/todos\/app\.lua:\d+: attempt to index local 'missing' \(a nil value\)/,
    );
  });
}

test("`rover run` serves the example (what the README's npm start does)", async (t) => {
  const child = spawn(process.execPath, [ROOT + "cli/main.ts", "run", APP, "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => {
    child.kill("SIGTERM");
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no listening line: " + out)), 20000);
    child.stdout.on("data", () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  assert.deepEqual(await (await fetch(url + "/todos/2")).json(), {
    id: 2,
    title: "Benchmark against Fastify",
    done: false,
    tags: ["perf"],
  });
});
