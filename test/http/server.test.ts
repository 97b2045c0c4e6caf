// A real listening server (rover start in a child process, port 0) answering fetch requests,
// run once with 1 worker and once with 2: builders, plain returns, ctx accessors, router-level
// 404/400/413, and handler errors that become a 500 without internals plus a logged position.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnServer, waitListening, stopServer, rawRequest, buildFixture } from "./server-process.ts";
import type { RunningServer } from "./server-process.ts";
import { eventually } from "../lib/eventually.ts";

const JSON_CT = "application/json; charset=utf-8";
const TEXT_CT = "text/plain; charset=utf-8";
const HTML_CT = "text/html; charset=utf-8";
const BYTES_CT = "application/octet-stream";
const SSE_CT = "text/event-stream";
const KITCHEN = "fixtures/apps/kitchen/app.lua";

/** The 1-based line of the kitchen app that contains `text`. */
function kitchenLine(text: string): number {
  const lines = readFileSync(fileURLToPath(new URL(`../../${KITCHEN}`, import.meta.url)), "utf8").split("\n");
  const n = lines.findIndex((l) => l.includes(text));
  assert.ok(n >= 0, text);
  return n + 1;
}

for (const workers of [1, 2]) {
  describe(`kitchen app with ${workers} worker(s)`, () => {
    let server: RunningServer;
    const get = (path: string, init?: RequestInit) => fetch(server.url + path, init);

    before(async () => {
      server = await waitListening(spawnServer(await buildFixture("apps/kitchen/app.lua"), { workers }));
    });
    after(async () => {
      assert.equal(await stopServer(server), 0, "SIGTERM closes gracefully with exit code 0");
    });

    it("prints one listening line with the worker count", () => {
      assert.equal(server.workers, workers);
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it("serves json, text, html builders with their content types", async () => {
      let r = await get("/b/json");
      assert.deepEqual(
        [r.status, r.headers.get("content-type"), await r.json()],
        [200, JSON_CT, { ok: true }],
      );
      r = await get("/b/json_status", { method: "POST" });
      assert.deepEqual([r.status, await r.json()], [201, { created: true }]);
      r = await get("/b/text_status");
      assert.deepEqual(
        [r.status, r.headers.get("content-type"), await r.text()],
        [418, "text/plain; charset=utf-8", "teapot"],
      );
      r = await get("/b/html");
      assert.deepEqual(
        [r.headers.get("content-type"), await r.text()],
        ["text/html; charset=utf-8", "<h1>hi</h1>"],
      );
    });

    it("redirects carry Location and no body", async () => {
      for (const [path, status, location] of [
        ["/b/redirect", 302, "/target"],
        ["/b/permanent", 301, "/p"],
        ["/b/redirect_status", 307, "/t"],
      ] as const) {
        const r = await get(path, { redirect: "manual" });
        assert.deepEqual([r.status, r.headers.get("location"), await r.text()], [status, location, ""]);
      }
    });

    it("every builder works in both call forms (api.x(...) and api:x(...))", async () => {
      const expect: [string, number, string | null, string][] = [
        ["/b/json_colon", 200, JSON_CT, '{"ok":1}'],
        ["/b/json_status_dot", 202, JSON_CT, '{"a":1}'],
        ["/b/text_colon", 200, TEXT_CT, "hello colon"],
        ["/b/text_status_dot", 418, TEXT_CT, "teapot dot"],
        ["/b/html_colon", 200, HTML_CT, "<h1>colon</h1>"],
        ["/b/html_status", 404, HTML_CT, "<h1>nf</h1>"],
        ["/b/html_status_dot", 404, HTML_CT, "<h1>nf dot</h1>"],
        ["/b/html_template_status", 201, HTML_CT, "<p>tpl</p>"],
        ["/b/raw", 200, BYTES_CT, "\x00\xff"],
        ["/b/raw_plain", 200, BYTES_CT, "\x01\x02"],
        ["/b/raw_colon", 200, BYTES_CT, "\x03"],
        ["/b/raw_status_dot", 203, BYTES_CT, "\x04"],
        ["/b/error_colon", 403, JSON_CT, '{"error":"forbidden"}'],
        ["/b/error_nil", 503, JSON_CT, '{"error":"Service Unavailable"}'],
        ["/s/stream_colon", 200, "text/csv", "a,b\n1,2\n"],
        ["/s/stream_dot", 201, "text/csv", "dot\n"],
        ["/s/sse", 200, SSE_CT, "id:0\ndata:one\n\n"],
        ["/s/sse_colon", 200, SSE_CT, "id:0\ndata:colon\n\n"],
        ["/s/sse_status", 201, SSE_CT, "id:0\ndata:created\n\n"],
        ["/s/sse_status_dot", 202, SSE_CT, "id:0\ndata:dot\n\n"],
        ["/s/sse_with_headers", 200, SSE_CT, 'id:0\nevent:e\ndata:{"n":1}\n\n'],
      ];
      for (const [path, status, type, body] of expect) {
        const r = await get(path);
        const bytes = Buffer.from(await r.arrayBuffer()).toString("latin1");
        assert.deepEqual([path, r.status, r.headers.get("content-type"), bytes], [path, status, type, body]);
      }
      for (const [path, kind] of [
        ["/s/with_headers_colon", "colon"],
        ["/s/with_headers_dot", "dot"],
        ["/s/sse_with_headers", "sse"],
      ]) {
        assert.equal((await get(path)).headers.get("x-kind"), kind, path);
      }
      for (const [path, status, location] of [
        ["/b/redirect_colon", 302, "/colon"],
        ["/b/permanent_dot", 301, "/p-dot"],
        ["/b/redirect_status_dot", 308, "/t-dot"],
      ] as const) {
        const r = await get(path, { redirect: "manual" });
        assert.deepEqual(
          [r.status, r.headers.get("location"), r.headers.get("content-type"), await r.text()],
          [status, location, null, ""],
        );
      }
      const r = await get("/b/no_content_colon", { method: "DELETE" });
      assert.deepEqual([r.status, r.headers.get("content-type"), await r.text()], [204, null, ""]);
    });

    it("error and no_content", async () => {
      let r = await get("/b/error_dot");
      assert.deepEqual(
        [r.status, r.headers.get("content-type"), await r.json()],
        [401, JSON_CT, { error: 'café "quoted"' }],
      );
      r = await get("/b/no_content_dot", { method: "DELETE" });
      assert.deepEqual([r.status, await r.text()], [204, ""]);
    });

    it("plain returns", async () => {
      let r = await get("/plain/table");
      assert.deepEqual(
        [r.headers.get("content-type"), await r.json()],
        [JSON_CT, { list: [1, 2, 3], name: "café" }],
      );
      r = await get("/plain/string");
      assert.deepEqual(
        [r.headers.get("content-type"), await r.text()],
        ["text/plain; charset=utf-8", "café"],
      );
      assert.equal(await (await get("/plain/float")).text(), "2.5");
      for (const [path, text] of [
        ["/plain/number", "42"],
        ["/plain/big", "1e+16"],
        ["/plain/bool", "false"],
      ]) {
        r = await get(path);
        assert.deepEqual([path, r.headers.get("content-type"), await r.text()], [path, TEXT_CT, text]);
      }
      r = await get("/plain/nil");
      assert.deepEqual([r.status, r.headers.get("content-type"), await r.text()], [204, null, ""]);
    });

    it("ctx: method, raw path, decoded params, form-decoded query, lower-case headers", async () => {
      const r = await rawRequest(server.url, "GET", "/echo/caf%C3%A9%2Fx?a=1&b=x+y%21&flag&a=2", {
        "X-Test": "v",
      });
      assert.deepEqual(JSON.parse(r.body.toString()), {
        method: "GET",
        path: "/echo/caf%C3%A9%2Fx",
        params: { id: "café/x" },
        query: { a: "2", b: "x y!", flag: "" },
        test_header: "v",
      });
      assert.deepEqual(await (await get("/files/a%20b/c")).json(), { name: "a b", "ext-x": "c" });
    });

    it("static segments win over parameters", async () => {
      assert.equal(await (await get("/users/me")).text(), "me");
      assert.equal(await (await get("/users/42")).text(), "42");
    });

    it("explicit head handler and automatic HEAD for GET routes", async () => {
      let r = await get("/explicit", { method: "HEAD" });
      assert.equal(r.status, 204);
      r = await get("/plain/string", { method: "HEAD" });
      assert.deepEqual([r.status, await r.text()], [200, ""]);
    });

    it("request bodies reach the handler as raw bytes", async () => {
      const r = await get("/body/len", { method: "POST", body: Buffer.from("é€") });
      assert.equal(await r.text(), "5");
      const bad = await rawRequest(
        server.url,
        "POST",
        "/body/text",
        { "content-type": "no/such/type;;" },
        "x",
      );
      assert.deepEqual([bad.status, bad.body.toString()], [200, "x"]);
    });

    it("unknown routes, bad URLs and big bodies get JSON 4xx", async () => {
      let r = await get("/nope");
      assert.deepEqual(
        [r.status, r.headers.get("content-type"), await r.json()],
        [404, JSON_CT, { error: "Not Found" }],
      );
      r = await get("/users/");
      assert.equal(r.status, 404);
      const bad = await rawRequest(server.url, "GET", "/users/%zz");
      assert.ok(bad.status >= 400 && bad.status < 500, String(bad.status));
      r = await get("/body/len", { method: "POST", body: Buffer.alloc(1024 * 1024 + 1) });
      assert.deepEqual([r.status, r.headers.get("content-type")], [413, JSON_CT]);
      assert.equal(typeof (await r.json()).error, "string");
    });

    it("a Lua error is a 500 without internals, logged with chunk:line", async () => {
      const r = await get("/fail/error");
      assert.equal(r.status, 500);
      const body = await r.text();
      assert.equal(body, '{"error":"Internal Server Error"}');
      const line = kitchenLine('error("boom")');
      await eventually(() => {
        const entry = logLines(server).find((l) => l.route === "GET /fail/error");
        assert.ok(entry, "an error line is logged");
        assert.equal(entry.level, 50);
        assert.equal(entry.where, `${KITCHEN}:${line}`);
        assert.equal(entry.error, `${KITCHEN}:${line}: boom`);
      });
    });

    it("unserialisable values are a 500, never a 200", async () => {
      for (const path of ["/fail/function", "/fail/cycle", "/fail/json_builder"]) {
        const r = await get(path);
        assert.deepEqual([r.status, await r.json()], [500, { error: "Internal Server Error" }], path);
      }
    });

    it("keeps serving after errors", async () => {
      const all = await Promise.all(Array.from({ length: 20 }, () => get("/")));
      for (const r of all) assert.deepEqual(await r.json(), { service: "rover" });
    });
  });
}

function logLines(server: RunningServer): any[] {
  return server
    .stdout()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
}
