// JSON serializers generated at build time (compiler/aot/json-codegen.ts, issue 4) against the
// generic encoder: (1) generated serializers on random shapes, after random mutations of the
// tables, write exactly what the generic encoder writes (or fail with the same message);
// (2) apps built with and without them answer byte for byte alike over HTTP; (3) the emitted
// code has them where json-shape.ts promises, with constant responses encoded at build time.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { generate } from "astring";
import { serializerFunction, type ShapeField, type ValueHint } from "../../compiler/aot/json-codegen.ts";
import { setJsonAot } from "../../compiler/lower/serializers.ts";
import { compileModule } from "../../compiler/compile-module.ts";
import { sourceFile } from "../../compiler/source.ts";
import { LuaTable, newStrs, type JsonSerializer } from "../../runtime/lua/table.ts";
import type { LuaValue } from "../../runtime/lua/value.ts";
import { jsonEncode, jsonKeys, jsonValue, jsonString, jsonNumber, jsonRest } from "../../runtime/lua/json.ts";
import { useBothBuildsOf, decoded, type Req } from "../lib/both-builds.ts";
import { rng } from "../lib/random.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** The generated serializer of a shape as a live function. */
function compileSerializer(fields: ShapeField[]): JsonSerializer {
  const code = generate(
    serializerFunction(fields, "$serialize1", (name) => ({ type: "Identifier", name: "$" + name })),
  );
  const make = new Function(
    "$jsonKeys",
    "$jsonValue",
    "$jsonString",
    "$jsonNumber",
    "$jsonRest",
    "return (" + code + ")",
  );
  return make(jsonKeys, jsonValue, jsonString, jsonNumber, jsonRest) as JsonSerializer;
}

// Byte strings, as Lua strings are: quotes, control bytes, UTF-8 and invalid UTF-8.
const KEYS = [
  "id",
  "name",
  "a",
  "b",
  "__rover_x",
  "with space",
  "\xc3\xa9t\xc3\xa9",
  "\xff",
  "constructor",
  "__proto__",
  'q"k',
  "10",
];
const STRINGS = ["", "ok", 'say "hi"', "line\nbreak", "\x01", "\xc3\xa9", "\xff\xfe", "</script>", "\\"];
const NUMBERS = [0, -0, 1, -1.5, 1e21, 1e-7, 0.1, NaN, Infinity, -Infinity, 2 ** 53 + 2];
const HINTS: ValueHint[] = ["string", "number", "boolean", "any"];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}

function randomScalar(r: () => number): LuaValue {
  const roll = r();
  if (roll < 0.35) return pick(r, STRINGS);
  if (roll < 0.7) return pick(r, NUMBERS);
  if (roll < 0.85) return r() < 0.5;
  return undefined;
}

function randomShape(r: () => number): ShapeField[] {
  const n = 1 + Math.floor(r() * 5);
  const fields: ShapeField[] = [];
  for (let i = 0; i < n; i++) {
    const key = pick(
      r,
      KEYS.filter((k) => k !== "10"),
    );
    const constant = r() < 0.4 ? randomScalar(r) : undefined;
    const hint = constant === undefined ? pick(r, HINTS) : (typeof constant as ValueHint);
    fields.push(constant === undefined ? { key, hint } : { key, hint, constant: constant as string });
  }
  return fields;
}

/** A table as the constructor of `fields` builds it (each key stored once, in order, nil included). */
function construct(
  fields: ShapeField[],
  serializer: JsonSerializer,
  r: () => number,
  depth: number,
): LuaTable {
  const t = new LuaTable();
  const s = (t.strs = newStrs());
  for (const f of fields)
    s[f.key] = f.constant !== undefined && r() < 0.8 ? f.constant : randomValue(r, depth);
  t.serializer = serializer;
  return t;
}

const shapes: { fields: ShapeField[]; serializer: JsonSerializer }[] = [];

function randomValue(r: () => number, depth: number): LuaValue {
  const roll = r();
  if (depth < 3 && roll < 0.2) {
    const { fields, serializer } = pick(r, shapes);
    return construct(fields, serializer, r, depth + 1);
  }
  if (depth < 3 && roll < 0.25) return new LuaTable([randomScalar(r) ?? 1, 2]);
  if (roll < 0.26) return () => undefined; // no JSON form: an error either way
  return randomScalar(r);
}

function mutate(t: LuaTable, r: () => number): void {
  const roll = r();
  if (roll < 0.35) t.setStr(pick(r, KEYS), randomValue(r, 2));
  else if (roll < 0.55) t.setStr(pick(r, KEYS), undefined);
  else if (roll < 0.65) t.setNum(1, randomScalar(r) ?? 1);
  else if (roll < 0.7) t.set(true, 1);
  else if (roll < 0.75) t.setNum(7, "seven");
  else if (roll < 0.8) for (let i = 0; i < 40; i++) t.setStr("k" + i, i % 3 === 0 ? undefined : i);
  else t.strs[pick(r, KEYS)] = randomValue(r, 2); // an inline store of compiled code
}

function encodeOrError(v: LuaValue): string {
  try {
    return jsonEncode(v);
  } catch (e) {
    return "error: " + (e as Error).message;
  }
}

/** The same tables with every serializer removed. */
function stripSerializers(v: LuaValue, seen = new Set<LuaTable>()): void {
  if (!(v instanceof LuaTable) || seen.has(v)) return;
  seen.add(v);
  v.serializer = null;
  for (const x of Object.values(v.strs)) stripSerializers(x, seen);
  for (const x of v.arr) stripSerializers(x, seen);
}

test("generated serializers write what the generic encoder writes, after any mutation", () => {
  const r = rng(4242);
  for (let i = 0; i < 40; i++) {
    const fields = randomShape(r);
    shapes.push({ fields, serializer: compileSerializer(fields) });
  }
  let hits = 0;
  for (let i = 0; i < 20000; i++) {
    const { fields, serializer } = pick(r, shapes);
    const t = construct(fields, serializer, r, 0);
    const mutations = r() < 0.4 ? 0 : Math.floor(r() * 4);
    for (let m = 0; m < mutations; m++) mutate(t, r);
    try {
      if (serializer(t, 1) !== undefined) hits++;
    } catch {
      // a function value: compared below
    }
    const fast = encodeOrError(t);
    stripSerializers(t);
    assert.equal(fast, encodeOrError(t), JSON.stringify(fields) + " mutations " + mutations);
  }
  // The serializers must have done the work most of the time, not bailed out.
  assert.ok(hits > 10000, "serializer hits " + hits);
});

test("nesting deeper than 64 and cycles fail exactly as in the generic encoder", () => {
  const serializer = compileSerializer([{ key: "child", hint: "any" }]);
  const root = new LuaTable();
  let t = root;
  for (let i = 0; i < 70; i++) {
    const next = new LuaTable();
    t.strs = newStrs();
    t.strs.child = next;
    t.serializer = serializer;
    t = next;
  }
  assert.match(encodeOrError(root), /nesting deeper than 64/);
  const cyclic = new LuaTable();
  cyclic.strs = newStrs();
  cyclic.strs.child = cyclic;
  cyclic.serializer = serializer;
  assert.match(encodeOrError(cyclic), /nesting deeper than 64/);
});

const APP = String.raw`
local api = rover.server {}
local g = rover.guard

local items = {}
for i = 1, 5 do
  items[#items + 1] = { id = i, name = "item " .. i, price = i * 1.25, active = i % 2 == 0, tags = { "t" .. i } }
end

function api.get(ctx) return { service = "shop", version = "1.0", up = true, n = 3 } end
function api.info.get(ctx) return api.json { service = "shop", nested = { deep = { x = 1 } } } end
function api.items.get(ctx) return { count = #items, items = items } end

function api.shaped.get(ctx)
  local q = ctx:query()
  local out = { id = tonumber(q.id), name = q.name, ["with space"] = q.s, __rover_secret = "x", ok = q.ok == "1" }
  if q.drop then out[q.drop] = nil end
  if q.add then out[q.add] = q.v or "added" end
  if q.first then out[1] = q.first end
  if q.bool then out[true] = 1 end
  if q.fn then out.name = print end
  if q.self then out.me = out end
  return out
end

function api.listing.get(ctx)
  local q = ctx:query()
  local list = {}
  for i = 1, tonumber(q.n) or 3 do
    local row = { i = i, sq = i * i, label = "row " .. i }
    if i == 2 and q.odd then row.label = { odd = true } end
    table.insert(list, row)
  end
  return api.json:status(201, { rows = list, total = #list })
end

local schema = { name = g:string():required(), qty = g:integer():default(1), note = g:string(), tags = g:array(g:string()) }
function api.echo.post(ctx)
  local input = ctx:body():expect(schema)
  local q = ctx:query()
  if q.id then input.id = tonumber(q.id) end
  if q.drop then input[q.drop] = nil end
  return input
end

return api
`;

describe("apps built with and without build-time serializers answer alike", () => {
  const { servers, compare } = useBothBuildsOf(APP, setJsonAot);

  test("the AOT build has serializers; the other build none", () => {
    assert.match(servers.aotCode, /\.serializer = /);
    assert.doesNotMatch(servers.runtimeCode, /\$serialize\d/);
  });

  test("returned constructors, nested ones, lists, mutations and failures", async () => {
    const gets = [
      "/",
      "/info",
      "/items",
      "/shaped",
      "/shaped?id=1&name=x&s=sp&ok=1",
      "/shaped?name=%C3%A9%FF%22&id=1e400",
      "/shaped?drop=name&name=x",
      "/shaped?drop=id&add=id&id=5&v=late",
      "/shaped?add=zzz&v=extra&name=n",
      "/shaped?add=10&v=ten",
      "/shaped?first=one&name=n",
      "/shaped?bool=1",
      "/shaped?fn=1",
      "/shaped?self=1",
      "/listing",
      "/listing?n=0",
      "/listing?n=4&odd=1",
    ];
    const answers = await compare(gets.map((path): Req => ({ method: "GET", path })));
    assert.equal(decoded(answers[0]), '{"service":"shop","version":"1.0","up":true,"n":3}');
    assert.ok(answers.some((a) => a.startsWith("500 ")));
  });

  test("guard outputs echoed as validated, extended and trimmed", async () => {
    const json = "application/json";
    const bodies = [
      '{"name":"n"}',
      '{"name":"n","qty":2,"note":"x","tags":["a","b"],"extra":1}',
      '{"tags":[],"name":"\\u00e9"}',
      '{"name":"n","qty":2.5}',
    ];
    const requests: Req[] = [];
    for (const body of bodies)
      for (const query of ["", "?id=7", "?drop=qty", "?drop=name&id=1"])
        requests.push({ method: "POST", path: "/echo" + query, body, type: json });
    const answers = await compare(requests);
    assert.ok(answers.some((a) => decoded(a) === '{"name":"n","qty":1}'));
  });
});

test("constant responses are encoded at build time; variable ones get a typed serializer", () => {
  const lua = `
    local api = rover.server {}
    function api.get(ctx) return { service = "todos", version = "1.0" } end
    function api.users.p_id.get(ctx) return { id = tonumber(ctx:params().id), name = "u" .. ctx:params().id } end
    function api.helper.get(ctx) local t = { a = 1 }; return t end
    function api.plain.get(ctx) local t = { b = 1 }; t.c = 2; return "text" end
    return api
  `;
  const code = compileModule(sourceFile("app.lua", "app.lua", Buffer.from(lua)), {
    runtimeImport: "rover/runtime",
  }).code;
  assert.ok(code.includes(`return "{\\"service\\":\\"todos\\",\\"version\\":\\"1.0\\"}"`), code);
  assert.match(code, /typeof \$v === "number" \? \$jsonNumber\(\$v\)/);
  assert.match(code, /typeof \$v === "string" \? \$jsonString\(\$v\)/);
  // `local t = {...}; return t` is sent; a table that is never sent gets no serializer.
  assert.equal(code.match(/\.serializer = /g)?.length, 3);
});

test("rover inspect on the CRUD fixture shows a compiled validator and a compiled serializer", async () => {
  const { spawnSync } = await import("node:child_process");
  const out = spawnSync(
    process.execPath,
    [join(ROOT, "cli/main.ts"), "inspect", "fixtures/apps/crud/app.lua"],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /function \$validate\d+\(\$data, \$issues\)/);
  assert.match(out.stdout, /function \$serialize\d+\(\$t, \$d\)/);
  assert.match(out.stdout, /\$o\d+\.serializer = \$serialize\d+/); // the validator tags its output
});
