// fixtures/apps/auth: login with guard-validated credentials, a Set-Cookie header through
// api.json's headers field, scoped before-middleware (auth, role) that end the chain early,
// ctx:set/get from middleware to handler, after-middleware order, X-Request-ID.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useAppServer } from "./app-server.ts";

describe("auth app", () => {
  const app = useAppServer("auth");
  let admin = "";
  let user = "";
  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(app.server.url + path, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: "Bearer " + token }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("logs in; the headers field becomes Set-Cookie and stays out of the body", async () => {
    const r = await call("POST", "/login", undefined, { user: "alice", password: "wonderland" });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("set-cookie"), "session=t1-alice; HttpOnly");
    assert.deepEqual(await r.json(), { token: "t1-alice" });
    admin = "t1-alice";
    const b = await call("POST", "/login", undefined, { user: "bob", password: "builder" });
    user = ((await b.json()) as { token: string }).token;
    const bad = await call("POST", "/login", undefined, { user: "bob", password: "x" });
    assert.deepEqual([bad.status, await bad.json()], [401, { error: "invalid credentials" }]);
    const invalid = await call("POST", "/login", undefined, { user: "bob" });
    assert.equal(invalid.status, 400);
  });

  it("scoped before-middleware: early return is the response; ctx:set/get reach the handler", async () => {
    let r = await call("GET", "/me");
    assert.deepEqual([r.status, await r.json()], [401, { error: "login required" }]);
    r = await call("GET", "/me", user);
    assert.deepEqual(await r.json(), { user: "bob", role: "user", trace: ["global", "me"] });
    r = await call("GET", "/admin/stats", user);
    assert.deepEqual([r.status, await r.json()], [403, { error: "admins only" }]);
    r = await call("GET", "/admin/stats", admin);
    assert.deepEqual(await r.json(), { trace: ["global", "admin.auth", "admin.role"], sessions: 2 });
  });

  it("global middleware applies everywhere, scoped only below its namespace", async () => {
    const r = await call("GET", "/public");
    const body = (await r.json()) as { trace: string[]; id_given: string };
    assert.deepEqual(body.trace, ["global"]);
    assert.match(body.id_given, /^[0-9A-Za-z]+$/);
    const given = await fetch(app.server.url + "/public", { headers: { "X-Request-ID": "req-42" } });
    assert.equal(((await given.json()) as { id_given: string }).id_given, "req-42");
    const long = await fetch(app.server.url + "/public", { headers: { "X-Request-ID": "x".repeat(257) } });
    assert.notEqual(((await long.json()) as { id_given: string }).id_given, "x".repeat(257));
  });

  it("after-middleware run innermost first, only after a handler ran", async () => {
    const r = await call("GET", "/admin/audit", admin);
    const entries = ((await r.json()) as { entries: string[] }).entries;
    // The admin/stats request by alice: admin after, then the global after. Refused requests
    // (401/403 from a before-middleware) left no entry.
    const i = entries.indexOf("admin-after alice");
    assert.ok(i >= 0);
    assert.equal(entries[i + 1], "GET /admin/stats as alice");
    assert.ok(!entries.some((e) => e.includes("as bob") && e.includes("/admin")));
  });

  it("a guard failure inside a middleware-wrapped handler is still a 400", async () => {
    let r = await call("PATCH", "/admin/users/bob", admin, { role: "root" });
    assert.equal(r.status, 400);
    assert.deepEqual(await r.json(), {
      errors: [{ field: "role", message: "Must be one of: admin, user. Got: 'root'", type: "enum" }],
    });
    r = await call("PATCH", "/admin/users/bob", admin, { role: "admin" });
    assert.deepEqual(await r.json(), { name: "bob", role: "admin" });
    r = await call("GET", "/admin/stats", user);
    assert.equal(r.status, 200);
  });
});
