// rover.guard, templates and middleware declarations in process: validator modifiers,
// messages and paths, schema caching, template syntax and errors, middleware startup errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LuaTable } from "../../runtime/lua/table.ts";
import { LuaError } from "../../runtime/lua/errors.ts";
import type { LuaValue } from "../../runtime/lua/value.ts";
import { createGuard } from "../../runtime/rover/guard.ts";
import { guardIssues } from "../../runtime/rover/guard-error.ts";
import { compileSchema } from "../../runtime/rover/guard-compile.ts";
import { renderTemplate } from "../../runtime/rover/template.ts";
import { readRouteTree } from "../../runtime/rover/route-tree.ts";
import { RoverError } from "../../runtime/rover/errors.ts";

const g = createGuard();
const ctor = (name: string, ...args: LuaValue[]) =>
  (g.getStr(name) as (...a: LuaValue[]) => LuaTable)(g, ...args);
const m = (v: LuaTable, name: string, ...args: LuaValue[]) =>
  ((v.metatable!.getStr("__index") as LuaTable).getStr(name) as (...a: LuaValue[]) => LuaTable)(v, ...args);
const table = (o: Record<string, LuaValue>) => {
  const t = new LuaTable();
  for (const [k, v] of Object.entries(o)) t.setStr(k, v);
  return t;
};
const check = (data: LuaValue, schema: LuaTable) =>
  (g.metatable!.getStr("__call") as (...a: LuaValue[]) => LuaValue)(g, data, schema);

function issues(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    if (e instanceof LuaError) return guardIssues(e.value) ?? e.value;
    throw e;
  }
  return "no error";
}

test("fields are optional unless required; nullable clears required; number rejects non-finite", () => {
  const schema = table({
    a: ctor("string"),
    b: m(ctor("number"), "required"),
    c: m(m(ctor("integer"), "required"), "nullable"),
    d: ctor("number"),
  });
  assert.deepEqual(
    issues(() => check(table({ d: Infinity }), schema)),
    [
      { field: "b", message: "Field 'b' is required", type: "required" },
      { field: "d", message: "Must be a finite number, got inf", type: "type" },
    ],
  );
});

test("hand-built validator tables work; a bad validator is a config error", () => {
  const schema = table({ x: table({ type: "string", required: true }), y: table({ nope: 1 }) });
  assert.deepEqual(
    issues(() => check(new LuaTable(), schema)),
    [
      { field: "x", message: "Field 'x' is required", type: "required" },
      { field: "y", message: "Invalid validator configuration", type: "config" },
    ],
  );
  // An entry that is no table at all: upstream's message, at the object's path.
  const nested = table({
    user: table({ type: "object", schema: table({ name: "x", age: ctor("integer") }) }),
  });
  assert.deepEqual(
    issues(() => check(table({ user: table({ age: 1.5 }) }), nested)),
    [
      { field: "user", message: "Failed to read schema pairs", type: "config" },
      { field: "user.age", message: "Must be an integer, got float 1.5", type: "type" },
    ],
  );
});

test("argument errors and schema caching", () => {
  assert.match(String(issues(() => check("x", new LuaTable()))), /First argument must be a table/);
  assert.match(String(issues(() => check(new LuaTable(), "x" as never))), /Second argument must be a table/);
  const schema = table({ a: ctor("string") });
  assert.equal(compileSchema(schema), compileSchema(schema));
});

test("templates: control tags, numeric for, unclosed {{ literal, errors", () => {
  const base = (n: string): LuaValue => (n === "tostring" ? (v: LuaValue) => String(v) : undefined);
  const data = table({ n: 3, name: "x" });
  assert.equal(renderTemplate("{{ for i = 1, n do }}{{ i }}{{ end }}", data, base), "123");
  assert.equal(
    renderTemplate("{{ if n > 5 then }}big{{ elseif n == 3 then }}three{{ else }}small{{ end }}", data, base),
    "three",
  );
  assert.equal(renderTemplate("a {{ name .. '!' }} {{ b", data, base), "a x! {{ b");
  assert.equal(renderTemplate("{{ not nil and 2^3 or 0 }}", data, base), "8");
  assert.throws(
    () => renderTemplate("{{ if n then }}", data, base),
    /Template rendering failed: 'end' expected/,
  );
  assert.throws(
    () => renderTemplate("{{ missing() }}", data, base),
    /Template rendering failed: .*attempt to call/,
  );
});

test("middleware declarations: bad values are startup errors naming the path", () => {
  const api = new LuaTable();
  const admin = new LuaTable();
  admin.setStr("before", table({ auth: "not a function" }));
  admin.setStr("get", () => undefined);
  api.setStr("admin", admin);
  assert.throws(
    () => readRouteTree(api),
    (e: unknown) =>
      e instanceof RoverError &&
      e.message === "Invalid middleware 'before.auth' at path '/admin': expected a function",
  );
  api.setStr("admin", table({ after: 5, get: () => undefined }));
  assert.throws(() => readRouteTree(api), /Invalid middleware 'after' at path '\/admin'/);
});
