// api.idempotent (fixtures/apps/idempotent, an orders API) on a real server: replays without
// rerunning the handler, 409 for a reused key with another payload, header options, expiry,
// errors not stored, misuse errors; then the SQLite backend shared by two workers and kept
// across a restart, the startup errors of the idempotency option, and the memory store's caps.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { useAppServer } from "./app-server.ts";
import { buildLuaDist, spawnServer, waitListening, stopServer, rawRequest } from "./server-process.ts";
import type { RawResponse } from "./server-process.ts";
import { MemoryStore, MEMORY_MAX_ENTRIES, MEMORY_MAX_BYTES } from "../../runtime/rover/idempotency-store.ts";
import { RoverResponse, TEXT_HEADERS } from "../../runtime/rover/response.ts";

const JSON_CT = "application/json; charset=utf-8";
const CONFLICT = '{"error":"Idempotency key already used with different payload"}';
const APP = fileURLToPath(new URL("../../fixtures/apps/idempotent/app.lua", import.meta.url));

/** POST on a fresh connection (rawRequest), so with several workers any of them may answer. */
function post(url: string, path: string, body: string, headers: Record<string, string> = {}) {
  return rawRequest(url, "POST", path, { "content-type": "application/json", ...headers }, body);
}

async function stats(url: string): Promise<{ created: number; received: number; next_id: number }> {
  return JSON.parse((await rawRequest(url, "GET", "/stats")).body.toString());
}

/** What a replay must repeat: status, body and every header the handler chose. */
function shape(r: RawResponse) {
  const h = r.headers;
  return {
    status: r.status,
    body: r.body.toString(),
    type: h["content-type"],
    location: h["location"],
    orderId: h["x-order-id"],
  };
}

describe("api.idempotent, memory backend", () => {
  const app = useAppServer("idempotent");
  const url = () => app.server.url;

  it("without a key (or a blank one) every request runs the handler", async () => {
    const a = JSON.parse((await post(url(), "/orders", '{"item":"tea"}')).body.toString());
    const b = JSON.parse((await post(url(), "/orders", '{"item":"tea"}')).body.toString());
    const c = JSON.parse(
      (await post(url(), "/orders", '{"item":"tea"}', { "Idempotency-Key": "  " })).body.toString(),
    );
    assert.deepEqual([b.id - a.id, c.id - b.id], [1, 1]);
  });

  it("the same key and body replays status, body and headers without running the handler", async () => {
    const key = randomUUID();
    const first = await post(url(), "/orders", '{"item":"tea","qty":2}', { "Idempotency-Key": key });
    const id = JSON.parse(first.body.toString()).id as number;
    assert.deepEqual(shape(first), {
      status: 201,
      body: `{"id":${id},"item":"tea","qty":2}`,
      type: JSON_CT,
      location: `/orders/${id}`,
      orderId: String(id),
    });
    const before = await stats(url());
    for (let i = 0; i < 3; i++) {
      const again = await post(url(), "/orders", '{"item":"tea","qty":2}', { "Idempotency-Key": key });
      assert.deepEqual(shape(again), shape(first));
    }
    const now = await stats(url());
    assert.deepEqual([now.created, now.next_id], [before.created, before.next_id]);
    assert.equal(now.received, before.received + 3); // the wrapper ran, the handler did not
  });

  it("the same key with another payload is a 409 with the exact JSON body", async () => {
    const key = randomUUID();
    assert.equal((await post(url(), "/orders", '{"item":"tea"}', { "Idempotency-Key": key })).status, 201);
    const before = await stats(url());
    // One byte differs (whitespace): the fingerprint is the raw body, not the decoded JSON.
    const r = await post(url(), "/orders", '{"item": "tea"}', { "Idempotency-Key": key });
    assert.deepEqual([r.status, r.headers["content-type"], r.body.toString()], [409, JSON_CT, CONFLICT]);
    assert.equal((await stats(url())).created, before.created);
  });

  it("the header name is matched case-insensitively", async () => {
    const key = randomUUID();
    const first = await post(url(), "/orders", '{"item":"mug"}', { "IDEMPOTENCY-KEY": key });
    const second = await post(url(), "/orders", '{"item":"mug"}', { "idempotency-key": key });
    assert.deepEqual(shape(second), shape(first));
  });

  it("a key is per wrapper: the same key on two routes does not conflict", async () => {
    const key = randomUUID();
    assert.equal((await post(url(), "/orders", '{"item":"pen"}', { "Idempotency-Key": key })).status, 201);
    const r = await post(url(), "/payments", "{}", { "Idempotency-Key": key });
    assert.equal(r.status, 200);
    assert.match(r.body.toString(), /^\{"payment":\d+\}$/);
  });

  it("the header option names the key header (text replies replay too)", async () => {
    const key = randomUUID();
    const first = await post(url(), "/refunds", "{}", { "x-request-token": key });
    const second = await post(url(), "/refunds", "{}", { "X-Request-Token": key });
    assert.deepEqual(shape(second), shape(first));
    assert.equal(first.headers["content-type"], "text/plain; charset=utf-8");
    // Idempotency-Key means nothing on this route: each request is a new refund.
    const a = await post(url(), "/refunds", "{}", { "Idempotency-Key": key });
    const b = await post(url(), "/refunds", "{}", { "Idempotency-Key": key });
    assert.notEqual(a.body.toString(), b.body.toString());
  });

  it("an entry expires after ttl_ms", async () => {
    const key = randomUUID();
    const first = (await post(url(), "/payments", "{}", { "Idempotency-Key": key })).body.toString();
    assert.equal((await post(url(), "/payments", "{}", { "Idempotency-Key": key })).body.toString(), first);
    await new Promise((r) => setTimeout(r, 300));
    const later = (await post(url(), "/payments", "{}", { "Idempotency-Key": key })).body.toString();
    assert.notEqual(later, first);
    assert.equal((await post(url(), "/payments", "{}", { "Idempotency-Key": key })).body.toString(), later);
  });

  it("a handler error is not stored: the retry runs the handler, then its answer replays", async () => {
    const key = randomUUID();
    const body = `charge ${key}`;
    const failed = await post(url(), "/charges", body, { "Idempotency-Key": key });
    assert.deepEqual([failed.status, failed.body.toString()], [500, '{"error":"Internal Server Error"}']);
    const retry = await post(url(), "/charges", body, { "Idempotency-Key": key });
    assert.equal(retry.status, 200);
    assert.match(retry.body.toString(), /^\{"charge":\d+,"attempt":2\}$/);
    const replay = await post(url(), "/charges", body, { "Idempotency-Key": key });
    assert.deepEqual(shape(replay), shape(retry));
  });

  it("a 204 replays too: a retried cancel is not a 404", async () => {
    const id = JSON.parse((await post(url(), "/orders", '{"item":"cup"}')).body.toString()).id as number;
    const key = randomUUID();
    const del = (headers: Record<string, string>) => rawRequest(url(), "DELETE", `/orders/${id}`, headers);
    const first = await del({ "Idempotency-Key": key });
    assert.deepEqual([first.status, first.body.length, first.headers["content-type"]], [204, 0, undefined]);
    assert.deepEqual(shape(await del({ "Idempotency-Key": key })), shape(first));
    assert.equal((await del({})).status, 404);
  });

  it("a wrapped handler that returns a stream is a 500, with or without a key", async () => {
    for (const headers of [{}, { "Idempotency-Key": randomUUID() }] as Record<string, string>[]) {
      const r = await post(url(), "/exports", "", headers);
      assert.deepEqual([r.status, r.body.toString()], [500, '{"error":"Internal Server Error"}']);
    }
  });

  it("misuse raises Lua errors naming the problem; both call forms build a handler", async () => {
    const usage = "api.idempotent() expects (handler) or (config, handler)";
    const r = await rawRequest(url(), "GET", "/misuse");
    assert.deepEqual(JSON.parse(r.body.toString()), {
      no_args: usage,
      not_function: usage,
      opts_only: usage,
      swapped: usage,
      extra: usage,
      unknown: "api.idempotent(): unknown option 'ttl' (valid options: header, ttl_ms)",
      bad_ttl: "api.idempotent(): option 'ttl_ms' must be a positive number of milliseconds, got -1",
      ttl_string: "api.idempotent(): option 'ttl_ms' must be a positive number of milliseconds, got '60000'",
      bad_header: "api.idempotent(): option 'header' must be a header name string, got 42",
      header_space: "api.idempotent(): option 'header' must be a header name string, got 'Idempotency Key'",
      colon_ok: "function",
    });
  });
});

describe("api.idempotent, sqlite backend", () => {
  let dir = "";
  let dist = "";
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "rover-idem-"));
    dist = await buildLuaDist(APP);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** spawnServer removes the dist when the process ends: each start gets its own copy. */
  const start = async (workers: number, db: string) =>
    waitListening(spawnServer(await buildLuaDist(APP), { workers, env: { IDEMPOTENCY_DB: db } }));

  it("two workers share the store, and a restart keeps it", async () => {
    const db = join(dir, "orders.db");
    let server = await start(2, db);
    const key = randomUUID();
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await post(server.url, "/orders", '{"item":"tea"}', { "Idempotency-Key": key });
      answers.add(JSON.stringify(shape(r)));
    }
    assert.equal(answers.size, 1);
    assert.equal(JSON.parse([...answers][0]).status, 201);
    // Each worker's counters: ask on fresh connections until both workers have answered.
    const seen = new Map<string, { created: number; received: number }>();
    for (let i = 0; i < 200 && seen.size < 2; i++) {
      const s = await stats(server.url);
      seen.set(JSON.stringify(s), s);
    }
    const workers = [...seen.values()];
    assert.equal(workers.length, 2);
    assert.equal(workers[0].received + workers[1].received, 20);
    // One handler run in all: the other worker replayed what the first one stored.
    assert.deepEqual(workers.map((w) => w.created).sort(), [0, 1]);
    assert.ok(workers.every((w) => w.received > 0));
    assert.equal(await stopServer(server), 0);

    server = await start(1, db);
    const r = await post(server.url, "/orders", '{"item":"tea"}', { "Idempotency-Key": key });
    assert.equal(JSON.stringify(shape(r)), [...answers][0]);
    const conflict = await post(server.url, "/orders", '{"item":"rum"}', { "Idempotency-Key": key });
    assert.deepEqual([conflict.status, conflict.body.toString()], [409, CONFLICT]);
    assert.equal((await stats(server.url)).created, 0);
    assert.equal(await stopServer(server), 0);
  });

  it("a sqlite_path that cannot be opened stops the server from starting", async () => {
    const server = spawnServer(dist, { env: { IDEMPOTENCY_DB: join(dir, "missing", "x.db") } });
    assert.equal(await server.exited, 1);
    assert.match(
      server.stderr(),
      /Invalid 'idempotency' in rover\.server config: cannot open sqlite_path '.*missing\/x\.db'/,
    );
  });
});

describe("api.idempotent misuse at startup", () => {
  it("a wrong call in the main chunk is a startup error with the Lua position", async () => {
    const lua = fileURLToPath(new URL("../../fixtures/apps/idempotent/misuse.lua", import.meta.url));
    const server = spawnServer(await buildLuaDist(lua));
    assert.equal(await server.exited, 1);
    assert.match(
      server.stderr(),
      /misuse\.lua:4: api\.idempotent\(\) expects \(handler\) or \(config, handler\)/,
    );
  });
});

describe("memory store (in process)", () => {
  const entry = (body: string) => ({
    fingerprint: "f",
    response: new RoverResponse(200, TEXT_HEADERS, body),
  });

  it("expired entries are gone and swept on insert", () => {
    const store = new MemoryStore();
    store.put("a", entry("1"), 1000, 0);
    assert.equal(store.get("a", 999)?.response.body, "1");
    assert.equal(store.get("a", 1000), undefined);
    store.put("b", entry("2"), 1500, 0);
    store.put("c", entry("3"), 5000, 2000); // a second later: the sweep drops b
    assert.equal(store.size, 1);
  });

  it("past the entry cap or the byte cap the oldest entries go first; the newest stays", () => {
    const store = new MemoryStore();
    for (let i = 0; i <= MEMORY_MAX_ENTRIES; i++) store.put("k" + i, entry(""), 1e12, 1);
    assert.equal(store.size, MEMORY_MAX_ENTRIES);
    assert.equal(store.get("k0", 2), undefined);
    assert.notEqual(store.get("k1", 2), undefined);
    const big = "x".repeat(MEMORY_MAX_BYTES / 2);
    store.put("big1", entry(big), 1e12, 1);
    store.put("big2", entry(big), 1e12, 1);
    assert.equal(store.get("big1", 2), undefined);
    assert.equal(store.get("big2", 2)?.response.body?.length, big.length);
    store.put("huge", entry(big + big), 1e12, 1);
    assert.deepEqual([store.size, store.get("huge", 2) !== undefined], [1, true]);
  });
});
