// rover check (issue 5): each fixture under fixtures/check/ yields the expected diagnostic codes
// at the expected positions; inline snippets pin down scoping and guard details; the real CLI
// gives exit status 0 for a clean app and 1 with errors, and its --json document has the agreed shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkApp, checkFiles, type CheckResult } from "../../compiler/analyse/check.ts";
import { findRoutes } from "../../compiler/analyse/routes.ts";
import { parse } from "../../compiler/parse.ts";
import { sourceFile } from "../../compiler/source.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** "code@line:col" for every diagnostic, in report order (file, line, column). */
function codes(r: CheckResult): string[] {
  return r.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);
}

function fixture(name: string): CheckResult {
  return checkApp(`fixtures/check/${name}.lua`, ROOT);
}

/** Checks one in-memory chunk (no modules). */
function snippet(text: string): CheckResult {
  const src = sourceFile("/virtual/app.lua", "app.lua", text);
  return checkFiles({ files: [{ name: "", src, chunk: parse(src) }], diagnostics: [] });
}

function routeList(r: CheckResult): string[] {
  return r.routes.map((x) => `${x.method} ${x.path} ${x.site.file.chunkName}:${x.site.line}`);
}

// ---------------------------------------------------------------- fixtures, one per diagnostic kind

const EXPECTED: Record<string, string[]> = {
  compile_error: ["unsupported_goto@8:3"],
  duplicate_route: ["duplicate_route@7:20", "duplicate_route@13:3"],
  empty_param_name: ["empty_param_name@3:20"],
  guard_dot_call: ["guard_dot_call@6:15", "guard_dot_call@7:17"],
  guard_enum_not_table: [
    "guard_enum_not_table@5:26",
    "guard_enum_not_table@6:26",
    "guard_enum_not_table@7:21",
  ],
  guard_not_schema: ["guard_not_schema@5:19", "guard_not_schema@6:28"],
  guard_not_validator: ["guard_not_validator@7:12", "guard_not_validator@8:15", "guard_not_validator@9:18"],
  invalid_route_entry: ["invalid_route_entry@3:5", "invalid_route_entry@7:3"],
  module_not_found: ["module_not_found@1:17"],
  param_name_conflict: ["param_name_conflict@5:20", "param_name_conflict@9:20"],
  reserved_route_name: ["reserved_route_name@3:14"],
  route_table_replaced: ["route_table_replaced@7:5"],
  unknown_guard_method: ["unknown_guard_method@6:14", "unknown_guard_method@7:22"],
  unknown_method: ["unknown_method@4:3", "unknown_method@7:17"],
  unroutable_segment: ["unroutable_segment@3:5", "unroutable_segment@6:5", "unroutable_segment@7:5"],
  duplicate_param_name: ["duplicate_param_name@3:30"],
  undefined_global: [
    "undefined_global@10:13",
    "undefined_global@11:3",
    "undefined_global@11:8",
    "undefined_global@12:16",
  ],
};

for (const [name, expected] of Object.entries(EXPECTED)) {
  test(`fixture ${name}.lua reports ${expected.length} diagnostic(s) at their positions`, () => {
    assert.deepEqual(codes(fixture(name)), expected);
  });
}

test("a clean app has no diagnostics and every route form is in the table, modules included", () => {
  const r = fixture("clean");
  assert.deepEqual(codes(r), []);
  assert.equal(r.serverFound, true);
  assert.deepEqual(routeList(r), [
    "GET / fixtures/check/clean.lua:9",
    "GET /items fixtures/check/clean.lua:15",
    "GET /items/:sku fixtures/check/clean.lua:17",
    "DELETE /items/:sku fixtures/check/clean.lua:18",
    "GET /users ./fixtures/check/clean_users.lua:4",
    "GET /users/:id ./fixtures/check/clean_users.lua:9",
    "GET /health fixtures/check/clean.lua:25",
    "GET /v1/config fixtures/check/clean.lua:27",
    "POST /kebab-case fixtures/check/clean.lua:28",
    "GET /admin/stats ./fixtures/check/clean_admin.lua:3",
    "POST /profile fixtures/check/clean.lua:45",
  ]);
  assert.deepEqual(
    r.files.map((f) => f.chunkName),
    ["fixtures/check/clean.lua", "./fixtures/check/clean_users.lua", "./fixtures/check/clean_admin.lua"],
  );
  assert.deepEqual(r.routes[2].params, ["sku"]);
});

test("a syntax error in a required module is reported in that file and the entry is still checked", () => {
  const r = fixture("syntax");
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.file.chunkName, d.line, d.column]),
    [["syntax", "./fixtures/check/syntax_broken.lua", 5, 1]],
  );
  assert.deepEqual(routeList(r), ["GET / fixtures/check/syntax.lua:6"]);
});

test("duplicates and conflicts carry a note pointing at the first declaration", () => {
  const dup = fixture("duplicate_route").diagnostics[0];
  assert.deepEqual(
    dup.notes.map((n) => [n.line, n.column]),
    [[3, 20]],
  );
  const conflicts = fixture("param_name_conflict").diagnostics;
  assert.deepEqual(
    conflicts.map((d) => [d.severity, d.notes[0].line, d.notes[0].column]),
    [
      ["error", 4, 20],
      ["warning", 8, 20],
    ],
  );
});

test("unknown_method keeps upstream's message", () => {
  const d = fixture("unknown_method").diagnostics[0];
  assert.equal(
    d.message,
    "Unknown HTTP method 'fetch' at path '/users'. Valid methods: get, head, options, post, put, patch, delete",
  );
});

test("severities: guard dot calls, undefined globals and replaced tables are warnings", () => {
  for (const name of ["guard_dot_call", "undefined_global", "route_table_replaced", "reserved_route_name"]) {
    const r = fixture(name);
    assert.equal(r.errors, 0, name);
    assert.ok(r.warnings > 0, name);
  }
});

// ---------------------------------------------------------------- scoping

test("locals are scoped: block locals end with the block, `local x = x` reads the outer x", () => {
  const r = snippet(`
local a = 1
do local b = 2 end
for i = 1, 2 do end
repeat local z = 1 until z
local f = function() return f end
local function g() return g end
local c = c
local t = {}
function t:m() return self end
print(a, b, i)
`);
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.message.match(/'(\w+)'/)![1]}@${d.line}:${d.column}`),
    ["f@6:29", "c@8:11", "b@11:10", "i@11:13"],
  );
});

test("globals assigned anywhere, through _G or rawset, are not reported", () => {
  const r = snippet(`
function helper() return later end
later = 1
_G.other = 2
rawset(_G, "third", 3)
print(helper(), other, third)
`);
  assert.deepEqual(codes(r), []);
});

test("computed global writes turn the undefined-global check off", () => {
  const r = snippet(`
local name = "x"
_G[name] = 1
print(x)
`);
  assert.deepEqual(codes(r), []);
});

// ---------------------------------------------------------------- routes

test("routes in nested tables, assignments and aliases; conditional code is not followed", () => {
  const r = snippet(`
local api = rover:server {}
api.a = { get = function() end, p_id = { put = function() end } }
api.a.p_id.delete = function() end
local b = api.b
function b.post() end
if os.getenv("X") then function api.maybe.get() end end
return api
`);
  assert.deepEqual(codes(r), []);
  assert.deepEqual(
    r.routes.map((x) => `${x.method} ${x.path}`),
    ["GET /a", "PUT /a/:id", "DELETE /a/:id", "POST /b"],
  );
});

test("wrapping a handler is not a duplicate; mount functions and module methods are followed", () => {
  const r = snippet(`
local api = rover.server {}
local function with_auth(h) return function(ctx) return h(ctx) end end
function api.users.get(ctx) return {} end
api.users.get = with_auth(api.users.get)
local M = {}
function M.register(app) function app.admin.get() end end
function M:mount(app) app.stats = { get = function() end } end
M.register(api)
M:mount(api)
return api
`);
  assert.deepEqual(codes(r), []);
  assert.deepEqual(
    r.routes.map((x) => `${x.method} ${x.path}:${x.site.line}`),
    ["GET /users:5", "GET /admin:7", "GET /stats:8"],
  );
});

test("builder names are reserved on the root only; __rover_ keys are skipped", () => {
  const r = snippet(`
local api = rover.server {}
function api.users.json.get() end
api.__rover_internal = 1
return api
`);
  assert.deepEqual(codes(r), []);
  assert.deepEqual(
    r.routes.map((x) => `${x.method} ${x.path}`),
    ["GET /users/json"],
  );
});

test("findRoutes sees nested tables and assignments too", () => {
  const src = sourceFile(
    "/virtual/app.lua",
    "app.lua",
    `
local api = rover.server {}
function api.get() end
api.items = { get = function() end, p_sku = { get = function() end } }
api.health.get = function() end
return api
`,
  );
  assert.deepEqual(findRoutes(parse(src)), [
    { method: "GET", path: "/", params: [], line: 3 },
    { method: "GET", path: "/items", params: [], line: 4 },
    { method: "GET", path: "/items/:sku", params: ["sku"], line: 4 },
    { method: "GET", path: "/health", params: [], line: 5 },
  ]);
});

// ---------------------------------------------------------------- guard

test("guard aliases are followed, globals included, and validators held in locals accept modifiers", () => {
  const r = snippet(`
local g = rover.guard
local h = g
G = rover.guard
local v = h:string()
local w = v:required():upper()
local s = G:strin()
local ok = g.string():default("x"):nullable()
`);
  assert.deepEqual(codes(r), ["unknown_guard_method@6:24", "unknown_guard_method@7:13"]);
});

test("a shadowed rover or a non-guard receiver is not checked", () => {
  const r = snippet(`
local rover = { guard = {} }
local g = rover.guard
local x = g:whatever():min()
local other = {}
local y = other:expect("anything goes here")
`);
  assert.deepEqual(
    codes(r).filter((c) => c.startsWith("guard") || c.startsWith("unknown_guard")),
    ["guard_not_schema@6:24"],
  );
});

// ---------------------------------------------------------------- the CLI

function runCli(file: string, json: boolean): { status: number | null; stdout: string } {
  const args = ["cli/main.ts", "check", file, ...(json ? ["--json"] : [])];
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: r.status, stdout: r.stdout };
}

test("rover check --json: exit 0 when clean, 1 with errors, and the document's shape", () => {
  const clean = runCli("fixtures/check/clean.lua", true);
  assert.equal(clean.status, 0);
  const doc = JSON.parse(clean.stdout);
  assert.deepEqual(Object.keys(doc), ["files", "diagnostics", "routes", "errors", "warnings"]);
  assert.deepEqual(doc.routes[0], {
    method: "GET",
    path: "/",
    params: [],
    file: "fixtures/check/clean.lua",
    line: 9,
  });
  assert.equal(doc.errors, 0);

  const bad = runCli("fixtures/check/duplicate_route.lua", true);
  assert.equal(bad.status, 1);
  const badDoc = JSON.parse(bad.stdout);
  assert.equal(badDoc.errors, 2);
  const d = badDoc.diagnostics[0];
  assert.deepEqual(Object.keys(d), ["code", "severity", "message", "file", "line", "column", "notes"]);
  assert.deepEqual(
    [d.code, d.severity, d.file, d.line, d.column],
    ["duplicate_route", "error", "fixtures/check/duplicate_route.lua", 7, 20],
  );
  assert.deepEqual(d.notes[0].line, 3);

  const warnOnly = runCli("fixtures/check/undefined_global.lua", false);
  assert.equal(warnOnly.status, 0);
  assert.match(warnOnly.stdout, /warning\[undefined_global\]/);
  assert.match(warnOnly.stdout, /\n0 errors, 4 warnings, 1 route\n$/);
});

test("before/after at any level and on_error at the root are middleware, not routes or unknown methods", () => {
  const r = fixture("middleware_not_routes");
  assert.deepEqual(codes(r), []);
  assert.deepEqual(routeList(r), ["GET /admin fixtures/check/middleware_not_routes.lua:7"]);
});
