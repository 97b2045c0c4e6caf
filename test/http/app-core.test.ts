// fixtures/apps/core: the rows of ROVER_API.md §1-§6 that Rover keeps, one route each, on a
// real server: routing (static before dynamic, decoded params, 404/405/Allow, automatic
// OPTIONS and HEAD), ctx, body methods, every builder in both call forms, plain returns,
// JSON encoding decisions, guard details and middleware order.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { rawRequest } from "./server-process.ts";
import { useAppServer } from "./app-server.ts";

const JSON_CT = "application/json; charset=utf-8";
const TEXT_CT = "text/plain; charset=utf-8";

describe("core api app", () => {
  const app = useAppServer("core");
  const get = (path: string, init?: RequestInit) => fetch(app.server.url + path, init);
  const post = (path: string, body: string, type?: string) =>
    fetch(app.server.url + path, {
      method: "POST",
      body,
      headers: type === undefined ? {} : { "content-type": type },
    });

  it("routes: root, static before dynamic, decoded params, reserved names only at the root", async () => {
    assert.deepEqual(await (await get("/")).json(), { root: true });
    assert.deepEqual(await (await get("/items/me")).json(), { me: true });
    assert.deepEqual(await (await get("/items/a%20b+c")).json(), { id: "a b+c" });
    assert.deepEqual(await (await get("/items/%C3%A9")).json(), { id: "é" });
    assert.equal(await (await get("/files/a%2Fb")).text(), "a/b");
    assert.equal(await (await get("/users/json")).text(), "routable");
    // DELETE /items/me has no static handler: the dynamic route takes it.
    assert.equal((await get("/items/me", { method: "DELETE" })).status, 204);
  });

  it("404 for unknown paths, trailing slashes and empty params", async () => {
    for (const p of ["/nope", "/items/", "/items//x", "/ITEMS"]) {
      const r = await rawRequest(app.server.url, "GET", p);
      assert.deepEqual([p, r.status, JSON.parse(r.body.toString())], [p, 404, { error: "Not Found" }]);
    }
  });

  it("405 with Allow in the fixed order; automatic OPTIONS; explicit options and head win", async () => {
    let r = await get("/items", { method: "PUT" });
    assert.deepEqual(
      [r.status, r.headers.get("allow"), r.headers.get("content-type"), await r.json()],
      [405, "GET, HEAD, POST, OPTIONS", JSON_CT, { error: "Method Not Allowed" }],
    );
    r = await get("/items/7", { method: "PATCH" });
    assert.deepEqual([r.status, r.headers.get("allow")], [405, "GET, HEAD, DELETE, OPTIONS"]);
    r = await get("/items/7", { method: "OPTIONS" });
    assert.deepEqual(
      [r.status, r.headers.get("allow"), await r.text()],
      [204, "GET, HEAD, DELETE, OPTIONS", ""],
    );
    r = await get("/opts", { method: "OPTIONS" });
    assert.deepEqual([r.status, await r.text()], [200, "custom options"]);
    const head = await rawRequest(app.server.url, "HEAD", "/items");
    assert.deepEqual([head.status, head.headers["content-type"], head.body.length], [200, JSON_CT, 0]);
    const explicit = await rawRequest(app.server.url, "HEAD", "/ping");
    assert.deepEqual([explicit.status, explicit.body.length], [200, 0]);
    assert.equal(await (await get("/ping")).text(), "pong");
  });

  it("ctx: method, path without query, decoded query, lower-case headers, request id", async () => {
    const r = await get("/ctx?a=1&b=x+y%21&flag&&a=2", { headers: { "X-Test": "t" } });
    const body = (await r.json()) as Record<string, unknown>;
    assert.deepEqual(body.method, "GET");
    assert.deepEqual(body.path, "/ctx");
    assert.deepEqual(body.query, { a: "2", b: "x y!", flag: "" });
    assert.equal(body.ua, "t");
    assert.match(body.id as string, /^[0-9A-Za-z]{6,}$/);
  });

  it("body methods: json (null members absent, null elements kept), text, bytes, as_string", async () => {
    let r = await post("/body/json", '{"a":[1,null,3],"b":null,"c":{}}', "application/json");
    assert.equal(await r.text(), '{"got":{"a":[1,null,3],"c":{}}}');
    r = await post("/body/json", '{"a":1}', "application/vnd.api+json; charset=utf-8");
    assert.deepEqual(await r.json(), { got: { a: 1 } });
    r = await post("/body/json", "", "application/json");
    assert.deepEqual([r.status, await r.json()], [400, { error: "Request has no body" }]);
    r = await post("/body/json", "[1,", "application/json");
    assert.equal(r.status, 400);
    r = await post("/body/json", '{"a":1}', "text/plain");
    assert.deepEqual(
      [r.status, await r.json()],
      [415, { error: "Unsupported Media Type (415): expected application/json, got text/plain" }],
    );
    r = await post("/body/text", "h\u00e9", "text/plain");
    assert.equal(await r.text(), "h\u00e9");
    r = await post("/body/as_string", "raw", "application/json");
    assert.equal(await r.text(), "raw");
    r = await post("/body/bytes", "AB");
    assert.deepEqual(await r.json(), { bytes: [65, 66] });
    // A handler that never reads the body is never refused because of it.
    r = await post("/body/ignored", "{broken", "application/json");
    assert.deepEqual([r.status, await r.text()], [200, "never read"]);
    r = await post("/body/ignored", "x", "not a media type");
    assert.equal(r.status, 200);
  });

  it("builders: both call forms, content types, headers field, raw, json strings", async () => {
    const expect = async (path: string, status: number, type: string | null, body: string) => {
      const r = await get(path);
      assert.deepEqual(
        [path, r.status, r.headers.get("content-type"), await r.text()],
        [path, status, type, body],
      );
    };
    await expect("/r/text", 200, TEXT_CT, "plain");
    await expect("/r/html", 200, "text/html; charset=utf-8", "<p>x</p>");
    await expect("/r/raw_status", 202, "application/octet-stream", "r");
    await expect("/r/dot_error", 409, JSON_CT, '{"error":"dot form"}');
    await expect("/r/dot_no_content", 204, null, "");
    await expect("/r/json_string", 200, JSON_CT, '"hi"');
    const raw = await get("/r/raw");
    assert.deepEqual([...new Uint8Array(await raw.arrayBuffer())], [0, 255]);
    const h = await get("/r/headers");
    assert.equal(h.headers.get("x-one"), "1");
    assert.deepEqual(h.headers.getSetCookie(), ["a=1", "b=2"]);
    assert.equal(await h.text(), '{"ok":true}');
  });

  it("plain returns and JSON decisions: order kept, whole numbers, NaN, empty arrays, bad UTF-8", async () => {
    const expect = async (path: string, status: number, type: string | null, body: string) => {
      const r = await get(path);
      assert.deepEqual(
        [path, r.status, r.headers.get("content-type"), await r.text()],
        [path, status, type, body],
      );
    };
    await expect("/r/number", 200, TEXT_CT, "2.5");
    await expect("/r/bool", 200, TEXT_CT, "false");
    await expect("/r/none", 204, null, "");
    await expect("/r/order", 200, JSON_CT, '{"z":1,"a":2,"m":{"y":1,"b":2}}');
    await expect("/r/whole", 200, JSON_CT, '{"n":5,"big":1000000000000000,"nan":null}');
    await expect("/r/empty", 200, JSON_CT, '{"obj":{},"arr":[]}');
    await expect("/r/utf8", 200, JSON_CT, '{"s":"bad \ufffd byte"}');
    const echo = await post("/r/echo_empty", "[]", "application/json");
    assert.equal(await echo.text(), "[]");
    const t = await get("/r/utf8_text");
    assert.deepEqual([...new Uint8Array(await t.arrayBuffer())].slice(4, 5), [255]);
  });

  it("unserializable values and handler errors are a 500 without internals, logged", async () => {
    for (const p of ["/r/func", "/r/cycle", "/r/deep", "/r/boom"]) {
      const r = await get(p);
      assert.deepEqual([p, r.status, await r.json()], [p, 500, { error: "Internal Server Error" }]);
    }
    await new Promise((res) => setTimeout(res, 50));
    assert.match(app.server.stdout(), /app\.lua:\d+: boom/);
  });

  it("guard: integer accepts 2.0, defaults, upstream's error text, extend, deep raise → 400", async () => {
    assert.deepEqual(await (await get("/guard/plain")).json(), { n: 2, f: 1, d: true });
    assert.equal(
      await (await get("/guard/text")).text(),
      "Validation failed for request body:\n\n" +
        "  1. Field 'name'\n     Error: Field 'name' is required\n     Type: required\n\n" +
        "  2. Field 'age'\n     Error: Must be an integer, got string\n     Type: type\n",
    );
    assert.deepEqual(await (await get("/guard/ext")).json(), { type: true, chained: true });
    const r = await post("/guard/deep", '{"name":"n","user":{"email":5},"tags":{"x":1}}', "application/json");
    assert.equal(r.status, 400);
    assert.deepEqual(await r.json(), {
      errors: [
        { field: "user.email", message: "Must be a string, got integer", type: "type" },
        { field: "tags", message: "Must be an array, got object", type: "type" },
      ],
    });
    const ok = await post("/guard", '{"name":"n","age":3.0,"tags":[],"zzz":1}', "application/json");
    assert.equal(await ok.text(), '{"name":"n","age":3,"tags":[]}');
  });

  it("middleware: before outer first, after in reverse, early return, guard errors in middleware", async () => {
    assert.equal(await (await get("/mw/inner")).text(), "ok");
    assert.deepEqual(await (await get("/trail")).json(), {
      trail: ["before.mw.one", "before.mw.two", "before.inner", "handler", "after.inner", "after.mw.one"],
    });
    assert.equal(await (await get("/mw/stop")).text(), "stopped early");
    const r = await get("/mw/guard");
    assert.deepEqual(
      [r.status, await r.json()],
      [400, { errors: [{ field: "token", message: "Field 'token' is required", type: "required" }] }],
    );
  });
});

describe("core api app: more rows", () => {
  const app = useAppServer("core");
  const get = (path: string, init?: RequestInit) => fetch(app.server.url + path, init);
  const post = (path: string, body: string | FormData, type?: string) =>
    fetch(app.server.url + path, {
      method: "POST",
      body,
      headers: type === undefined ? {} : { "content-type": type },
    });
  const expect = async (path: string, status: number, type: string | null, body: string) => {
    const r = await get(path);
    assert.deepEqual(
      [path, r.status, r.headers.get("content-type"), await r.text()],
      [path, status, type, body],
    );
  };

  it("routes: builder names below the root, method keys in any case, nested route tables", async () => {
    await expect("/v1/config", 200, TEXT_CT, "v1 config");
    await expect("/v1/error", 200, TEXT_CT, "v1 error");
    await expect("/cased", 200, TEXT_CT, "GET key");
    assert.equal(await (await get("/cased", { method: "DELETE" })).text(), "Delete key");
    await expect("/shop", 200, TEXT_CT, "shop");
    await expect("/shop/x%20y", 200, TEXT_CT, "item x y");
  });

  it("Allow lists every method served for the path, a less specific route's too", async () => {
    // GET /items/me is static; DELETE /items/me reaches DELETE /items/:id.
    for (const method of ["PUT", "OPTIONS", "PROPFIND"]) {
      const r = await rawRequest(app.server.url, method, "/items/me");
      assert.deepEqual(
        [method, r.status, r.headers.allow],
        [method, method === "OPTIONS" ? 204 : 405, "GET, HEAD, DELETE, OPTIONS"],
      );
    }
    const r = await rawRequest(app.server.url, "PUT", "/users/json");
    assert.deepEqual([r.status, r.headers.allow], [405, "GET, HEAD, OPTIONS"]);
  });

  it("404 and 405 come before the body: a bad Content-Type or a body over the limit does not change them", async () => {
    const big = "x".repeat(1024 * 1024 + 10);
    for (const [path, status] of [
      ["/nope", 404],
      ["/users/json", 405],
    ] as const) {
      for (const [type, body] of [
        ["not a type", "x"],
        ["a/b/c", "x"],
        ["application/json", big],
      ]) {
        const r = await rawRequest(app.server.url, "POST", path, { "content-type": type }, body);
        assert.deepEqual([path, type, r.status], [path, type, status]);
      }
    }
  });

  it("HEAD reaches a dynamic GET next to a static sibling with another method", async () => {
    const head = await rawRequest(app.server.url, "HEAD", "/sib/me");
    assert.deepEqual([head.status, head.headers["content-length"]], [200, String("dynamic me".length)]);
    await expect("/sib/me", 200, TEXT_CT, "dynamic me");
    const r = await rawRequest(app.server.url, "PATCH", "/sib/me");
    assert.deepEqual([r.status, r.headers.allow], [405, "GET, HEAD, PUT, OPTIONS"]);
  });

  it("framing headers from a handler are a logged 500; a response object is userdata", async () => {
    const r = await get("/r/framing");
    assert.deepEqual([r.status, r.headers.get("transfer-encoding")], [500, null]);
    assert.deepEqual(await (await get("/r/tostring")).json(), { type: "userdata", text: "userdata" });
    // Header values are the Lua string's bytes, whatever the body is sent as.
    const h = await rawRequest(app.server.url, "GET", "/r/utf8header");
    assert.deepEqual(
      [h.headers["x-v"], h.body.toString()],
      [Buffer.from("café").toString("latin1"), '{"ok":true}'],
    );
  });

  it("HEAD: no Content-Length on a 204, and a stream's producer never runs", async () => {
    const head = await rawRequest(app.server.url, "HEAD", "/r/none");
    assert.deepEqual([head.status, head.headers["content-length"]], [204, undefined]);
    const stream = await rawRequest(app.server.url, "HEAD", "/head/stream");
    assert.deepEqual(
      [stream.status, stream.headers["content-type"], stream.body.length],
      [200, "text/csv", 0],
    );
    const none = await get("/head/nobody");
    assert.deepEqual([none.status, await none.text()], [204, ""]);
    assert.deepEqual(await (await get("/head/stream/runs")).json(), { runs: 0 });
  });

  it("an empty parameter in the middle of a path is a 404", async () => {
    await expect("/u/7/posts", 200, TEXT_CT, "7");
    const r = await rawRequest(app.server.url, "GET", "/u//posts");
    assert.deepEqual([r.status, r.body.toString()], [404, '{"error":"Not Found"}']);
  });

  it("HEAD sends the GET headers with the real Content-Length; automatic OPTIONS has no content type", async () => {
    const full = await rawRequest(app.server.url, "GET", "/items");
    const head = await rawRequest(app.server.url, "HEAD", "/items");
    assert.deepEqual(
      [head.status, head.headers["content-length"], head.body.length],
      [200, String(full.body.length), 0],
    );
    const r = await get("/items", { method: "OPTIONS" });
    assert.deepEqual(
      [r.status, r.headers.get("content-type"), r.headers.get("allow"), await r.text()],
      [204, null, "GET, HEAD, POST, OPTIONS", ""],
    );
  });

  it("ctx: no params on a static route, one request id per request, ctx:next, repeated headers, ?=v", async () => {
    const r = await rawRequest(app.server.url, "GET", "/ctx/more?=v&a=1&a=2", { "x-rep": "1" });
    assert.equal(r.headers["x-request-id"], undefined, "the request id is not echoed");
    assert.deepEqual(JSON.parse(r.body.toString()), {
      params: {},
      same_id: true,
      next: true,
      repeated: "1",
      query: { "": "v", a: "2" },
    });
    const rep = await rawRequest(app.server.url, "GET", "/ctx/more", [
      "host",
      "localhost",
      "x-rep",
      "1",
      "x-rep",
      "2",
    ]);
    assert.equal(JSON.parse(rep.body.toString()).repeated, "2", "the last repeated header wins");
  });

  it("body aliases raw and echo; form: last duplicate wins; file/files of a missing field", async () => {
    assert.equal(await (await post("/body/raw", '{"a":1}', "application/json")).text(), '{"a":1}');
    assert.equal(await (await post("/body/echo", "xyz", "text/plain")).text(), "xyz");
    const form = new FormData();
    form.append("a", "1");
    form.append("a", "2");
    form.append("b", "3");
    assert.equal(
      await (await post("/body/parts", form)).text(),
      '{"form":{"a":"2","b":"3"},"missing":true,"none":[]}',
    );
    let r = await post("/body/parts", "a=1", "text/plain");
    assert.deepEqual(
      [r.status, await r.json()],
      [415, { error: "Unsupported Media Type (415): expected multipart/form-data, got text/plain" }],
    );
    r = await post("/body/parts", "x", "multipart/form-data");
    assert.deepEqual(
      [r.status, await r.json()],
      [400, { error: "Failed to parse multipart data: Missing boundary in Content-Type header" }],
    );
  });

  it("JSON: tables that are not 1..n are objects, no truncation, infinities are null", async () => {
    await expect("/j/holes", 200, JSON_CT, '{"1":1,"3":3}');
    await expect("/j/mixed", 200, JSON_CT, '{"1":1,"2":2,"name":"x"}');
    await expect("/j/sparse", 200, JSON_CT, '{"2":"b"}');
    await expect("/j/inf", 200, JSON_CT, '{"pos":null,"neg":null,"nan":null}');
    await expect("/j/nilorder", 200, JSON_CT, '{"b":1,"z":2,"a":3,"c":4}');
    await expect("/j/mixedorder", 200, JSON_CT, '{"step":"GET","of":3,"z":"last","a":2,"z2":"GET"}');
    const long = (await (await get("/j/long")).json()) as number[];
    assert.deepEqual([long.length, long[0], long[1499]], [1500, 1, 1500]);
  });

  it("api.json headers field: a Content-Type there replaces the builder's; a string is plain data", async () => {
    await expect("/j/ctype", 200, "application/problem+json", '{"ok":true}');
    await expect("/j/plain_headers", 200, JSON_CT, '{"headers":"just data"}');
  });

  it("guard: number rejects infinities, boolean type errors, required():nullable() is optional", async () => {
    let r = await post("/guard/strict", '{"n":1e400,"b":"yes"}', "application/json");
    assert.deepEqual(
      [r.status, await r.json()],
      [
        400,
        {
          errors: [
            { field: "n", message: "Must be a finite number, got inf", type: "type" },
            { field: "b", message: "Must be a boolean, got string", type: "type" },
          ],
        },
      ],
    );
    r = await post("/guard/strict", '{"n":-1e400,"b":1}', "application/json");
    assert.deepEqual(await r.json(), {
      errors: [
        { field: "n", message: "Must be a finite number, got -inf", type: "type" },
        { field: "b", message: "Must be a boolean, got integer", type: "type" },
      ],
    });
    r = await post("/guard/strict", '{"b":true}', "application/json");
    assert.deepEqual([r.status, await r.text()], [200, '{"b":true}']);
    r = await post("/guard/strict", '{"note":null,"n":2.5}', "application/json");
    assert.deepEqual([r.status, await r.text()], [200, '{"n":2.5}']);
  });

  it("rover.guard.validate: guard errors stay a 400, other errors become their message string", async () => {
    let r = await post("/guard/validate", '{"name":"x"}', "application/json");
    assert.deepEqual([r.status, await r.text()], [200, '{"name":"x"}']);
    r = await post("/guard/validate", "{}", "application/json");
    assert.deepEqual(
      [r.status, await r.json()],
      [400, { errors: [{ field: "name", message: "Field 'name' is required", type: "required" }] }],
    );
    assert.deepEqual(await (await get("/guard/validate_other")).json(), { ok: false, kind: "string" });
  });

  it("guard shapes: {} is no array and [] no object, holes stay, upstream's type names", async () => {
    let r = await post("/guard/shapes", '{"tags":{},"size":[],"label":{}}', "application/json");
    assert.deepEqual(await r.json(), {
      errors: [
        { field: "tags", message: "Must be an array, got object", type: "type" },
        { field: "size", message: "Must be an object, got array", type: "type" },
        { field: "label", message: "Must be a string, got table", type: "type" },
      ],
    });
    r = await post("/guard/shapes", '{"tags":[1,null,3],"size":{},"label":"x"}', "application/json");
    assert.deepEqual(
      [r.status, await r.text()],
      [200, '{"tags":[1,null,3],"size":{},"label":"x","list":[]}'],
    );
    // The app's own table given as the default is left as it was: still an empty object.
    assert.equal(await (await get("/guard/empty")).text(), '{"meta":{}}');
    r = await post("/guard/shapes", '{"tags":"x","size":5}', "application/json");
    assert.deepEqual(await r.json(), {
      errors: [
        { field: "tags", message: "Must be an array, got string", type: "type" },
        { field: "size", message: "Must be an object, got integer", type: "type" },
      ],
    });
  });

  it("guard validators are tables: raw field writes and g:extend methods that set fields take effect", async () => {
    let r = await post("/guard/fields", '{"must":"m"}', "application/json");
    assert.deepEqual(await r.json(), { out: { must: "m" }, kind: "string", raw: false });
    r = await post("/guard/fields", "{}", "application/json");
    assert.deepEqual(await r.json(), {
      errors: [{ field: "must", message: "Field 'must' is required", type: "required" }],
    });
  });

  it("guard: :expect on a decoded JSON table; api:error reads back the text of a guard error", async () => {
    let r = await post("/guard/json_expect", '{"a":2.0,"b":1}', "application/json");
    assert.deepEqual([r.status, await r.text()], [200, '{"a":2}']);
    r = await post("/guard/json_expect", '{"a":"x"}', "application/json");
    assert.deepEqual(
      [r.status, await r.json()],
      [400, { errors: [{ field: "a", message: "Must be an integer, got string", type: "type" }] }],
    );
    r = await post("/guard/error_text", "{}", "application/json");
    assert.deepEqual(
      [r.status, r.headers.get("content-type"), await r.json()],
      [422, JSON_CT, { errors: [{ field: "name", message: "Field 'name' is required", type: "required" }] }],
    );
  });

  it("after middleware: its return value is ignored, it cannot change the response, skipped on errors", async () => {
    await expect("/aft/ok", 200, TEXT_CT, "handler result");
    assert.equal((await get("/aft/boom")).status, 500);
    // The list is serialised before the after middleware of /aft/ran appends to it.
    assert.deepEqual(await (await get("/aft/ran")).json(), { ran: ["/aft/ok"] });
    assert.deepEqual(await (await get("/aft/ran")).json(), { ran: ["/aft/ok", "/aft/ran"] });
  });
});
