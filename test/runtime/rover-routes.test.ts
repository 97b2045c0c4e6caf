// The route tree reader (runtime/rover/route-tree.ts) and rover.server's api table: paths,
// parameters, method keys, reserved names and the exact startup messages of ROVER_API.md §1.5.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LuaTable, tableFrom } from "../../runtime/lua/table.ts";
import { index, setIndex } from "../../runtime/lua/ops.ts";
import { createRoverGlobal } from "../../runtime/rover/server-api.ts";
import { readRouteTree } from "../../runtime/rover/route-tree.ts";
import { RoverError } from "../../runtime/rover/errors.ts";

const rover = createRoverGlobal(new LuaTable());
const newApi = (): LuaTable => (rover.getStr("server") as (c: LuaTable) => LuaTable)(new LuaTable());
const fn = () => undefined;

function def(api: LuaTable, path: string[], method: string): void {
  let t: any = api;
  for (const seg of path) t = index(t, seg);
  setIndex(t, method, fn);
}

function routesOf(api: LuaTable): string[] {
  return readRouteTree(api).routes.map((r) => `${r.method} ${r.path} ${r.pattern} [${r.params.join(",")}]`);
}

test("paths, parameters and methods come out in declaration order", () => {
  const api = newApi();
  def(api, [], "get");
  def(api, ["users"], "post");
  def(api, ["users", "p_id"], "GET");
  def(api, ["users", "p_id", "posts", "p_post-id"], "Delete");
  def(api, ["caf\xc3\xa9"], "head");
  def(api, ["a:b"], "options");
  assert.deepEqual(routesOf(api), [
    "GET / / []",
    "POST /users /users []",
    "GET /users/:p0 /users/{id} [id]",
    "DELETE /users/:p0/posts/:p1 /users/{id}/posts/{post-id} [id,post-id]",
    "HEAD /café /caf\xc3\xa9 []",
    "OPTIONS /a::b /a:b []",
  ]);
});

test("reading a missing key auto-vivifies a namespace; plain nested tables work too", () => {
  const api = newApi();
  const users = index(api, "users");
  assert.ok(users instanceof LuaTable);
  assert.equal(index(api, "users"), users);
  api.setStr("health", tableFrom(undefined, ["get", fn, "p_x", tableFrom(undefined, ["put", fn])]));
  assert.deepEqual(routesOf(api), ["GET /health /health []", "PUT /health/:p0 /health/{x} [x]"]);
});

test("builder names are reserved on the root only", () => {
  const api = newApi();
  def(api, ["json"], "get"); // writes into the helper table: dropped, as upstream
  def(api, ["users", "json"], "get");
  def(api, ["users", "error"], "post");
  api.setStr("__rover_internal", tableFrom(undefined, ["get", fn]));
  assert.deepEqual(routesOf(api), ["GET /users/json /users/json []", "POST /users/error /users/error []"]);
  assert.equal(typeof index(api, "error"), "function");
  assert.ok(index(api, "config") instanceof LuaTable);
});

function startupError(build: (api: LuaTable) => void): string {
  const api = newApi();
  build(api);
  try {
    readRouteTree(api);
  } catch (e) {
    assert.ok(e instanceof RoverError);
    return e.message;
  }
  assert.fail("expected a startup error");
}

test("a function under a non-method key names the key and the path", () => {
  assert.equal(
    startupError((api) => def(api, ["users", "p_id"], "fetch")),
    "Unknown HTTP method 'fetch' at path '/users/{id}'. Valid methods: get, head, options, post, put, patch, delete",
  );
  assert.equal(
    startupError((api) => def(api, [], "on_start")),
    "Unknown HTTP method 'on_start' at path '/'. Valid methods: get, head, options, post, put, patch, delete",
  );
});

test("an empty parameter name names the parent path", () => {
  assert.equal(
    startupError((api) => def(api, ["p_"], "get")),
    "Empty parameter name at path ''",
  );
  assert.equal(
    startupError((api) => def(api, ["users", "p_"], "get")),
    "Empty parameter name at path '/users'",
  );
});

test("a value that is neither table nor function is an error", () => {
  assert.equal(
    startupError((api) => api.setStr("version", "1.0")),
    `Invalid server config at path '/': expected string key with table/function value, got "version" = "1.0"`,
  );
  assert.equal(
    startupError((api) => index(api, "users").set(1, fn)),
    "Invalid server config at path '/users': expected string key with table/function value, got 1 = function",
  );
});

test("duplicate and conflicting routes are refused", () => {
  assert.match(
    startupError((api) => {
      def(api, ["x"], "get");
      def(api, ["x"], "GET");
    }),
    /^Duplicate route GET \/x/,
  );
  assert.match(
    startupError((api) => {
      def(api, ["users", "p_id"], "get");
      def(api, ["users", "p_uid"], "get");
    }),
    /^Conflicting routes GET \/users\/\{id\} and GET \/users\/\{uid\}/,
  );
});

test("a table that contains itself is an error, a shared subtree is not", () => {
  const shared = tableFrom(undefined, ["get", fn]);
  const api = newApi();
  api.setStr("v1", shared);
  api.setStr("v2", shared);
  assert.deepEqual(routesOf(api), ["GET /v1 /v1 []", "GET /v2 /v2 []"]);
  assert.match(
    startupError((a) => {
      const t = index(a, "loop") as LuaTable;
      t.setStr("again", t);
    }),
    /contains itself/,
  );
});
