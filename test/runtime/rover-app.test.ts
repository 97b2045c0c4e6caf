// RoverApp.handle in process (no sockets): builders in both call forms, plain returns, ctx
// accessors, 4xx error objects, and failures that must become a logged 500, never a 200.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type {
  RoverApp,
  RequestInput,
  ResponseOutput,
  BootOptions,
  BootResult,
} from "../../runtime/rover/boot.ts";
import { buildApp } from "../../compiler/bundle.ts";
import { writeBuild } from "../../cli/commands/compile.ts";

const KITCHEN = "fixtures/apps/kitchen/app.lua";

/** What a compiled bundle exports (compiler/bundle.ts): boot with the chunk name filled in. */
interface CompiledApp {
  boot(options: Omit<BootOptions, "chunkName">): BootResult;
}

/** Compiles a Lua app (path relative to the repository root, the cwd of `npm test`) and imports its bundle. */
async function compiled(file: string): Promise<CompiledApp> {
  const dir = mkdtempSync(join(tmpdir(), "rover-app-test-"));
  writeBuild(await buildApp(file), dir);
  return import(pathToFileURL(join(dir, "app.js")).href);
}

/** Compiles a one-off Lua app from its source text. */
async function compiledSource(source: string): Promise<CompiledApp> {
  const dir = mkdtempSync(join(tmpdir(), "rover-app-src-"));
  writeFileSync(join(dir, "app.lua"), source);
  return compiled(join(dir, "app.lua"));
}

interface Logged {
  level: string;
  message: string;
  fields: Record<string, string>;
}

async function bootKitchen(): Promise<{ app: RoverApp; logs: Logged[] }> {
  const logs: Logged[] = [];
  const result = (await compiled(KITCHEN)).boot({
    write: () => {},
    writeError: () => {},
    argv: { script: KITCHEN, args: [] },
    log: (level, message, fields) => logs.push({ level, message, fields }),
  });
  assert.equal(result.kind, "server");
  return { app: (result as { app: RoverApp }).app, logs };
}

const { app, logs } = await bootKitchen();

/** A tiny router over RouteSpec paths, standing in for Fastify: ":pN" captures, decoded. */
function request(
  method: string,
  url: string,
  opts: { headers?: string[]; body?: string } = {},
): ResponseOutput {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const segs = path.split("/");
  for (const route of app.routes) {
    if (route.method !== method) continue;
    const rsegs = route.path.split("/");
    if (rsegs.length !== segs.length) continue;
    const params: string[] = [];
    if (
      !rsegs.every((r, i) =>
        r.startsWith(":") ? (params.push(decodeURIComponent(segs[i])), true) : r === segs[i],
      )
    ) {
      continue;
    }
    const input: RequestInput = {
      method,
      path,
      query: q < 0 ? "" : url.slice(q + 1),
      params,
      rawHeaders: opts.headers ?? [],
      body: opts.body === undefined ? null : Buffer.from(opts.body, "utf8"),
    };
    return app.handle(route.id, input);
  }
  throw new Error("no route for " + method + " " + url);
}

const text = (r: ResponseOutput) => (r.body === null ? null : r.body.toString("utf8"));
const json = (r: ResponseOutput) => JSON.parse(text(r)!);
const JSON_CT = "application/json; charset=utf-8";
const TEXT_CT = "text/plain; charset=utf-8";

test("json builder: call, colon call, :status, .status, strings", () => {
  let r = request("GET", "/b/json");
  assert.equal(r.status, 200);
  assert.equal(r.headers["content-type"], JSON_CT);
  assert.deepEqual(json(r), { ok: true });
  assert.deepEqual(json(request("GET", "/b/json_colon")), { ok: 1 });
  r = request("POST", "/b/json_status");
  assert.equal(r.status, 201);
  assert.deepEqual(json(r), { created: true });
  r = request("GET", "/b/json_status_dot");
  assert.equal(r.status, 202);
  assert.deepEqual(json(r), { a: 1 });
  assert.equal(text(request("GET", "/b/json_string")), '"hi"');
});

test("text, html, raw builders", () => {
  let r = request("GET", "/b/text");
  assert.deepEqual([r.status, r.headers["content-type"], text(r)], [200, TEXT_CT, "hello"]);
  r = request("GET", "/b/text_status");
  assert.deepEqual([r.status, text(r)], [418, "teapot"]);
  r = request("GET", "/b/html");
  assert.deepEqual(
    [r.status, r.headers["content-type"], text(r)],
    [200, "text/html; charset=utf-8", "<h1>hi</h1>"],
  );
  r = request("GET", "/b/html_status");
  assert.deepEqual([r.status, text(r)], [404, "<h1>nf</h1>"]);
  r = request("GET", "/b/raw");
  assert.deepEqual(
    [r.headers["content-type"], [...(r.body as Buffer)]],
    ["application/octet-stream", [0, 255]],
  );
});

test("redirects", () => {
  let r = request("GET", "/b/redirect");
  assert.deepEqual([r.status, r.headers.location, r.body], [302, "/target", null]);
  r = request("GET", "/b/permanent");
  assert.deepEqual([r.status, r.headers.location], [301, "/p"]);
  r = request("GET", "/b/redirect_status");
  assert.deepEqual([r.status, r.headers.location], [307, "/t"]);
});

test("error and no_content in both call forms", () => {
  let r = request("GET", "/b/error_colon");
  assert.deepEqual([r.status, r.headers["content-type"], json(r)], [403, JSON_CT, { error: "forbidden" }]);
  r = request("GET", "/b/error_dot");
  assert.deepEqual([r.status, json(r)], [401, { error: 'café "quoted"' }]);
  r = request("GET", "/b/error_nil");
  assert.deepEqual([r.status, json(r)], [503, { error: "Service Unavailable" }]);
  for (const path of ["/b/no_content_colon", "/b/no_content_dot"]) {
    r = request("DELETE", path);
    assert.deepEqual([r.status, r.body, r.headers["content-type"]], [204, null, undefined]);
  }
});

test("plain returns", () => {
  let r = request("GET", "/plain/table");
  assert.deepEqual(
    [r.status, r.headers["content-type"], json(r)],
    [200, JSON_CT, { list: [1, 2, 3], name: "café" }],
  );
  r = request("GET", "/plain/string");
  assert.deepEqual([r.status, r.headers["content-type"], text(r)], [200, TEXT_CT, "café"]);
  assert.equal(text(request("GET", "/plain/number")), "42");
  assert.equal(text(request("GET", "/plain/float")), "2.5");
  assert.equal(text(request("GET", "/plain/bool")), "false");
  r = request("GET", "/plain/nil");
  assert.deepEqual([r.status, r.body], [204, null]);
  assert.equal(json(request("GET", "/")).service, "rover");
});

test("ctx fields and accessors", () => {
  const r = request("GET", "/echo/caf%C3%A9?a=1&b=x+y%21&flag&&a=2&e=%zz&=v", {
    headers: ["X-Test", "first", "Host", "h", "x-test", "second"],
  });
  assert.deepEqual(json(r), {
    method: "GET",
    path: "/echo/caf%C3%A9",
    params: { id: "café" },
    query: { a: "2", b: "x y!", flag: "", e: "%zz", "": "v" },
    test_header: "second",
  });
  assert.deepEqual(json(request("GET", "/files/a%2Fb/x%20y")), { name: "a/b", "ext-x": "x y" });
  assert.equal(text(request("GET", "/ctx/field")), "ann");
});

test("ctx:body(): text, json, no body, media types", () => {
  const ct = (v: string) => ["Content-Type", v];
  assert.equal(text(request("POST", "/body/text", { body: "héllo" })), "héllo");
  assert.equal(text(request("POST", "/body/len", { body: "é" })), "2");
  let r = request("POST", "/body/json", { headers: ct("application/json"), body: '{"a":[1,2]}' });
  assert.deepEqual(json(r), { got: { a: [1, 2] } });
  for (const type of [
    'Application/JSON;Charset="UTF-8"',
    "application/problem+json",
    " application/json ; x=y",
  ]) {
    assert.equal(request("POST", "/body/json", { headers: ct(type), body: "{}" }).status, 200, type);
  }
  for (const type of ["text/plain", "application/jsonx", "json", "+json"]) {
    r = request("POST", "/body/json", { headers: ct(type), body: "{}" });
    assert.equal(r.status, 415, type);
    assert.match(json(r).error, /^Unsupported Media Type \(415\)/);
  }
  r = request("POST", "/body/json", { body: "{}" });
  assert.deepEqual(
    [r.status, json(r)],
    [415, { error: "Unsupported Media Type (415): expected application/json, got no Content-Type" }],
  );
  r = request("POST", "/body/json", { headers: ct("application/json"), body: '{"a":' });
  assert.equal(r.status, 400);
  assert.match(json(r).error, /^JSON parsing failed: /);
  for (const body of [undefined, ""]) {
    r = request("POST", "/body/json", { headers: ct("application/json"), body });
    assert.deepEqual(
      [r.status, r.headers["content-type"], json(r)],
      [400, JSON_CT, { error: "Request has no body" }],
    );
  }
  assert.equal(logs.length, 0, "4xx errors are not logged as handler errors");
});

test("a handler's pcall catches the 4xx error object", () => {
  const r = request("POST", "/body/pcall", { headers: ["content-type", "text/plain"], body: "x" });
  assert.deepEqual(json(r), {
    ok: false,
    err: "Unsupported Media Type (415): expected application/json, got text/plain",
    status: 415,
  });
});

test("failures become a 500 without internals, logged with the Lua position", () => {
  const source = readFileSync(KITCHEN, "utf8").split("\n");
  const lineOf = (needle: string) => {
    const n = source.findIndex((l) => l.includes(needle));
    assert.ok(n >= 0, needle);
    return `${KITCHEN}:${n + 1}`;
  };
  const cases: [string, RegExp, string | null][] = [
    ["/fail/error", /app\.lua:\d+: boom/, lineOf('error("boom")')],
    ["/fail/index", /attempt to index local 't' \(a nil value\)/, lineOf("return t.x")],
    ["/fail/runtime", /attempt to call local 'f' \(a nil value\)/, lineOf("  f()")],
    ["/fail/function", /cannot be sent as JSON/, null],
    ["/fail/cycle", /cannot be sent as JSON/, null],
    ["/fail/userdata_return", /returned a function value/, null],
    ["/fail/json_builder", /JSON serialization failed/, lineOf("return api.json { f = print }")],
    ["/b/bad_status", /bad argument #1 to 'status'/, lineOf("return api.json:status(42, {})")],
  ];
  for (const [path, message, where] of cases) {
    logs.length = 0;
    const r = request("GET", path);
    assert.equal(r.status, 500, path);
    assert.equal(r.headers["content-type"], JSON_CT);
    assert.deepEqual(json(r), { error: "Internal Server Error" }, path);
    assert.equal(logs.length, 1, path);
    assert.equal(logs[0].level, "error");
    assert.match(logs[0].message, message, path);
    assert.equal(logs[0].fields.route, "GET " + path);
    if (where !== null) assert.equal(logs[0].fields.where, where, path);
  }
});

test("boot results: script, startup errors", async () => {
  const opts = { write: () => {}, writeError: () => {}, argv: { script: "app.lua", args: [] } };
  const out: string[] = [];
  const script = await compiledSource('print("hello from a script")\n');
  assert.deepEqual(script.boot({ ...opts, write: (s) => out.push(s) }), { kind: "script" });
  assert.deepEqual(out, ["hello from a script\n"]);
  const unknownMethod = await compiledSource(
    "local api = rover.server {}\nfunction api.users.fetch(ctx) end\nreturn api\n",
  );
  assert.throws(() => unknownMethod.boot(opts), /Unknown HTTP method 'fetch' at path '\/users'/);
  const badPort = await compiledSource("return rover.server { port = 70000 }\n");
  assert.throws(() => badPort.boot(opts), /Invalid 'port'/);
});
