// Guard schemas compiled at build time (compiler/aot/, issue 4) against the run-time guard:
// the same apps built with and without AOT answer many valid and invalid bodies byte for byte
// alike (status, content type, body); the emitted validator of a literal schema calls nothing
// of the run-time schema compiler; and what cannot be understood statically is left alone.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { parse as acornParse } from "acorn";
import { compileModule } from "../../compiler/compile-module.ts";
import { sourceFile } from "../../compiler/source.ts";
import { parse } from "../../compiler/parse.ts";
import { planGuardCalls } from "../../compiler/aot/guard-schema.ts";
import { setGuardAot } from "../../compiler/lower/guard-calls.ts";
import { useBothBuilds, useBothBuildsOf, decoded, type Req } from "../lib/both-builds.ts";
import { rng } from "../lib/random.ts";

const ROOT = resolve(import.meta.dirname, "../..");

const APP = String.raw`
local api = rover.server {}
local g = rover.guard
local h = g

local dims = g:object { w = g:number():required(), h = g:number():required() }

local item = {
  sku = g:string():required(),
  qty = g:integer():default(1),
  opts = g:array(g:string():enum({ "a", "b", 3 })),
}

local full = {
  name = g:string():required("name missing"),
  age = g:integer(),
  score = g:number():enum({ 1, 2.5, -3, "x" }),
  kind = g:string():enum({ "std", "express" }):default("std"),
  active = g:boolean():default(false),
  nick = g:string():required():nullable(),
  code = g:string():nullable():required(),
  size = dims,
  items = g:array(g:object(item)),
  grid = g:array(g:array(g:integer():required())),
  meta = { type = "object", schema = { note = { type = "string", required = true, required_msg = "note!" } } },
  list = { type = "array", element = { type = "number", default = 7 } },
  ["10"] = g:string(),
  ["2"] = g:integer(),
  __proto__ = g:string(),
  ["with space"] = g:boolean(),
  neg = g:number():default(-1.5),
  empty = g:string():enum({}),
  flags = g:boolean():enum({ true }),
  idx = g:integer():primary():auto():unique():references("t.c"):index(),
}

function api.full.post(ctx) return ctx:body():expect(full) end

function api.inline.post(ctx)
  return ctx:body():expect { a = h:string():required(), b = g.number(), c = g.array(g.object { d = g:integer() }) }
end

function api.objv.post(ctx) return ctx:body():expect(g:object { x = g:string():required() }:required()) end

function api.data.post(ctx)
  local data = ctx:body():json()
  if type(data) ~= "table" then data = { raw = data } end
  return rover.guard(data, full)
end

function api.data_inline.post(ctx)
  return g(ctx:body():json(), { x = g:integer():required(), y = g:array(g:string()) })
end

function api.caught.post(ctx)
  local ok, err = pcall(function() return ctx:body():expect(full) end)
  if ok then return err end
  return { text = tostring(err), status = type(err) == "table" and err.status or "none" }
end

function api.coded.post(ctx)
  local ok, err = pcall(function() return ctx:body():expect { n = g:integer():required() } end)
  if ok then return err end
  return api:error(422, err)
end

local fake = { expect = function(self, s) return { fake = true, kind = type(s) } end }
function api.fake.get(ctx) return fake:expect { a = g:string() } end
function api.nilrecv.get(ctx)
  local ok, e = pcall(function() local x; return x:expect { a = g:string() } end)
  return { e = e }
end
function api.notable.get(ctx)
  local ok, e = pcall(function() return rover.guard("s", { a = g:string() }) end)
  return { e = e }
end

-- Changed after its declaration: the run-time guard in both builds.
local open = { a = g:string() }
open.b = g:integer():required()
function api.open.post(ctx) return ctx:body():expect(open) end

return api
`;

const KEYS = [
  "name",
  "age",
  "score",
  "kind",
  "active",
  "nick",
  "code",
  "size",
  "items",
  "grid",
  "meta",
  "list",
  "10",
  "2",
  "__proto__",
  "with space",
  "neg",
  "empty",
  "flags",
  "idx",
  "w",
  "h",
  "sku",
  "qty",
  "opts",
  "note",
  "a",
  "b",
  "c",
  "d",
  "x",
  "y",
  "n",
  "raw",
  "extra",
  "title",
  "price",
  "stock",
  "status",
  "tags",
  "variants",
  "email",
  "user",
  "width",
  "height",
];
const SCALARS = [
  "null",
  "true",
  "false",
  "0",
  "1",
  "-1",
  "2",
  "3",
  "7",
  "2.5",
  "2.0",
  "-3",
  "1e3",
  "1e400",
  "-1e400",
  "-0",
  "0.1",
  '"std"',
  '"express"',
  '"a"',
  '"b"',
  '"x"',
  '""',
  '"draft"',
  '"active"',
  '"\\u00e9t\\u00e9"',
  '"1"',
  '"true"',
];

/** Random JSON text, biased towards the apps' field names and the values their schemas expect. */
function jsonValue(r: () => number, depth: number): string {
  const roll = r();
  if (depth >= 3 || roll < 0.5) return SCALARS[Math.floor(r() * SCALARS.length)];
  if (roll < 0.7) {
    const n = Math.floor(r() * 4);
    return "[" + Array.from({ length: n }, () => jsonValue(r, depth + 1)).join(",") + "]";
  }
  return jsonObject(r, depth + 1);
}

function jsonObject(r: () => number, depth: number, base: string[] = []): string {
  // Fields a schema wants (valid), each kept most of the time, then random ones.
  const parts = base.filter(() => r() < 0.75);
  const n = Math.floor(r() * (depth === 0 ? 8 : 5));
  for (let i = 0; i < n; i++) {
    parts.push(JSON.stringify(KEYS[Math.floor(r() * KEYS.length)]) + ":" + jsonValue(r, depth));
  }
  return "{" + parts.join(",") + "}";
}

function bodiesFor(path: string, seed: number, count: number, base: string[] = []): Req[] {
  const r = rng(seed);
  const out: Req[] = [];
  const json = "application/json";
  for (const body of ["", "nope", "[1,2]", "[]", '"str"', "3", "{}", '{"a":1', "null"])
    out.push({ method: "POST", path, body, type: json });
  out.push({ method: "POST", path, body: "{}", type: "text/plain" });
  out.push({ method: "POST", path, body: "{}" });
  out.push({ method: "POST", path, body: "{}", type: "application/vnd.api+json; charset=utf-8" });
  for (let i = 0; i < count; i++)
    out.push({ method: "POST", path, body: jsonObject(r, 0, base), type: json });
  return out;
}

describe("guard schemas compiled ahead of time answer exactly as the run-time guard", () => {
  const { servers, compare } = useBothBuildsOf(APP, setGuardAot);

  test("the AOT build uses compiled validators; the other build none", () => {
    assert.match(servers.aotCode, /expectCompiled\(/);
    assert.match(servers.aotCode, /guardCompiled\(/);
    assert.doesNotMatch(servers.runtimeCode, /\$validate\d/);
  });

  const FULL = ['"name":"n"', '"code":"c"', '"age":4', '"size":{"w":1,"h":2}', '"items":[{"sku":"s"}]'];
  for (const [path, seed, base] of [
    ["/full", 1, FULL],
    ["/inline", 2, ['"a":"s"']],
    ["/objv", 3, ['"x":"y"']],
    ["/data", 4, FULL],
    ["/data_inline", 5, ['"x":1']],
    ["/caught", 6, FULL],
    ["/coded", 7, ['"n":1']],
    ["/open", 8, ['"b":1']],
  ] as const) {
    test(`POST ${path}: fixed and random bodies`, async () => {
      const answers = await compare(bodiesFor(path, seed, 150, [...base]));
      // The bodies must exercise both outcomes, not only one kind of failure.
      const failed = (a: string) => /^4\d\d /.test(a) || decoded(a).includes("Validation failed");
      assert.ok(
        answers.some((a) => a.startsWith("200 ") && !failed(a)),
        path,
      );
      assert.ok(answers.some(failed), path);
    });
  }

  test("valid bodies with defaults, nesting, arrays and odd keys", async () => {
    const good = [
      '{"name":"n","code":"c","size":{"w":1,"h":2.5},"items":[{"sku":"s"},{"sku":"t","qty":2,"opts":["a",3]}]}',
      '{"name":"n","code":"c","grid":[[1,2],[3]],"meta":{"note":"hi","x":1},"list":[1,null,2.5]}',
      '{"name":"n","code":"c","10":"ten","2":2,"__proto__":"p","with space":true,"flags":false,"idx":4}',
      '{"code":"c","name":"n","score":2.5,"age":2.0,"neg":-0,"kind":"express","active":true}',
      '{"x":"y"}',
      '{"a":"s","b":1.5,"c":[{"d":1},{"d":2.0},{}]}',
      '{"n":5}',
    ];
    const paths = ["/full", "/data", "/caught", "/objv", "/inline", "/coded"];
    const answers = await compare(
      paths.flatMap((path) => good.map((body) => ({ method: "POST", path, body, type: "application/json" }))),
    );
    assert.ok(answers.filter((a) => a.startsWith("200 ")).length >= 6);
  });

  test("receivers that are not request bodies, and data that is not a table", async () => {
    const answers = await compare([
      { method: "GET", path: "/fake" },
      { method: "GET", path: "/nilrecv" },
      { method: "GET", path: "/notable" },
    ]);
    const text = answers.map(decoded).join("\n");
    assert.match(text, /"fake":true,"kind":"table"/);
    assert.match(text, /attempt to index local 'x' \(a nil value\)/);
    assert.match(text, /app\.lua:\d+: First argument must be a table/);
  });
});

// Lua code may patch the guard at run time, by any path (aliases, rawset, metatables, other
// modules): compiled validators then give way to the schema as written, in both call forms.
const PATCHED = String.raw`
local api = rover.server {}
local g = rover.guard
local G = _G
function api.expect.post(ctx) return ctx:body():expect { name = g:string():required() } end
function api.data.post(ctx) return rover.guard(ctx:body():json(), { name = g:string():required() }) end
-- A local that captured a patched guard, which was then put back.
local real = rover.guard
rover.guard = setmetatable({ string = function() return real:integer() end }, getmetatable(real))
local g2 = rover.guard
rover.guard = real
function api.alias.post(ctx) return ctx:body():expect { name = g2:string():required() } end
-- A schema handed to an expect method of the app's, which changes it.
local shared = { name = g:string() }
local spy = { expect = function(self, s) s.name = g:string():required() end }
spy:expect(shared)
function api.spied.post(ctx) return ctx:body():expect(shared) end
-- The data argument patches a modifier before the schema would be evaluated.
local M = getmetatable(g:string()).__index
function api.late.post(ctx)
  local orig = M.required
  local function data()
    M.required = function(self) return self end
    return ctx:body():json()
  end
  local ok, r = pcall(function() return rover.guard(data(), { name = g:string():required() }) end)
  M.required = orig
  if ok then return { ok = true, r = r } end
  error(r)
end
local patches = {
  function() G.rover.guard.string = rover.guard.integer end,
  function() local box = { g } box[1].string = function() return { type = "boolean" } end end,
  function() rawset(g, "string", g.number) end,
  function() getmetatable(g:string()).__index.required = function(v) return v end end,
  function() local m = getmetatable(g) m.__call = function() return { patched = true } end end,
  function() local r = rover r.guard = setmetatable({ string = g.string }, getmetatable(g)) end,
}
local applied = 0
function api.patch.post(ctx)
  applied = applied + 1
  patches[applied]()
  return { applied = applied }
end
return api
`;

describe("a guard patched at run time: compiled validators give way to the schema as written", () => {
  const { servers, compare } = useBothBuildsOf(PATCHED, setGuardAot);

  test("every patch changes both builds alike", async () => {
    assert.match(servers.aotCode, /expectCompiled\(/);
    assert.match(servers.aotCode, /guardCompiled\(/);
    const json = "application/json";
    const probe: Req[] = ["{}", '{"name":"x"}', '{"name":5}', '{"name":true}'].flatMap((body) =>
      ["/expect", "/data", "/alias", "/spied", "/late"].map((path) => ({
        method: "POST",
        path,
        body,
        type: json,
      })),
    );
    const before = await compare(probe);
    const seen = new Set([before.join("\n")]);
    for (let i = 1; i <= 6; i++) {
      await compare([{ method: "POST", path: "/patch", body: "" }]);
      seen.add((await compare(probe)).join("\n"));
    }
    assert.ok(seen.size >= 4, "the patches change the answers");
  });
});

describe("fixture apps with guards (crud, core) answer alike with and without AOT", () => {
  for (const [app, path, base] of [
    ["crud", "/products", ['"name":"n"', '"price":1.5', '"size":{"width":1,"height":2}']],
    ["crud", "/check", ['"email":"e"', '"age":3']],
    ["core", "/guard", ['"name":"n"', '"user":{"email":"e"}']],
    ["core", "/guard/deep", ['"name":"n"']],
  ] as const) {
    describe(`${app} POST ${path}`, () => {
      const { servers, compare } = useBothBuilds(
        () => join(ROOT, "fixtures/apps", app, "app.lua"),
        setGuardAot,
      );
      test("fixed and random bodies", async () => {
        assert.match(servers.aotCode, /\$validate\d/);
        const answers = await compare(bodiesFor(path, app.length * 31 + path.length, 120, [...base]));
        assert.ok(answers.some((a) => /^20[01] /.test(a)));
      });
    });
  }
});

/** Every call inside the function expressions named `$validate...` of a module. */
function callsInValidators(code: string): string[] {
  const ast = acornParse(code, { ecmaVersion: "latest", sourceType: "module" });
  const calls: string[] = [];
  let validators = 0;
  const walk = (n: any, inside: boolean): void => {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach((x) => walk(x, inside));
    if (n.type === "FunctionExpression" && n.id?.name?.startsWith("$validate")) {
      validators++;
      inside = true;
    }
    if (inside && (n.type === "CallExpression" || n.type === "NewExpression")) {
      const c = n.callee;
      calls.push(
        c.type === "Identifier" ? c.name : c.type === "MemberExpression" ? "." + c.property.name : "?",
      );
    }
    for (const k in n) if (k !== "loc") walk(n[k], inside);
  };
  walk(ast, false);
  assert.ok(validators > 0, "no compiled validator in the module");
  return calls;
}

test("a literal schema compiles to straight-line code that calls nothing of the run-time guard", () => {
  const lua = `
    local g = rover.guard
    local api = rover.server {}
    local schema = { name = g:string():required(), tags = g:array(g:string()), at = g:object { x = g:number() } }
    function api.users.post(ctx) return ctx:body():expect(schema) end
    function api.items.post(ctx) return ctx:body():expect { n = g:integer():enum({ 1, 2 }):default(1) } end
    return api
  `;
  const code = compileModule(sourceFile("app.lua", "app.lua", Buffer.from(lua)), {
    runtimeImport: "rover/runtime",
  }).code;
  const allowed = new Set([
    "$LuaTable",
    "$newStrs",
    ".push",
    ".hasOnlyArrayPart",
    "$isGuardArray",
    "$guardTypeIssue",
    "$guardFiniteIssue",
    "$guardFloatIssue",
    "$guardEnumIssue",
  ]);
  const calls = callsInValidators(code);
  assert.deepEqual(
    calls.filter((c) => !allowed.has(c)),
    [],
  );
  // The request path goes straight to the compiled validator, created once per Lua state
  // (with the serializers of its output tables).
  assert.match(
    code,
    /\$expectCompiled\(\$t\d+, \$slot\d+ \?\? \(\$slot\d+ = \(function \(\) \{\n\s*const \$serialize1 = function \$serialize1\(\$t, \$d\)/,
  );
  assert.match(code, /return function \$validate\d+\(\$data, \$issues\)/);
});

test("apps with coroutines: plain versions use the compiled validator, generator versions the run-time guard", () => {
  const lua = `
    local g = rover.guard
    local co = coroutine.wrap(function(d) return rover.guard(d, { a = g:integer() }) end)
    return function(body) return body:expect { a = g:string() } end
  `;
  const code = compileModule(sourceFile("app.lua", "app.lua", Buffer.from(lua)), {
    runtimeImport: "rover/runtime",
    coroutines: true,
  }).code;
  acornParse(code, { ecmaVersion: "latest", sourceType: "module" });
  assert.match(code, /\$expectCompiled\(/);
  assert.match(code, /\$guardCompiled\(/);
});

test("schemas that are not understood statically keep the run-time guard", () => {
  const planned = (lua: string) => [
    ...planGuardCalls(parse(sourceFile("a.lua", "a.lua", Buffer.from(lua)))).values(),
  ];
  const head = "local g = rover.guard\n";
  for (const body of [
    "local s = { a = g:string() }\nreturn function(ctx) return ctx:body():expect(s) end",
    "local s = { a = g:string() }\nreturn function(ctx) local b = ctx:body() return b:expect(s) end",
    "local s = { a = g:string() }\nreturn function(ctx) return ctx:body():json():expect(s) end",
  ]) {
    assert.equal(planned(head + body).length, 1, body);
  }
  // A computed field, a validator in a variable that escapes, a changed schema, g:extend, a
  // dot-called modifier, a non-literal default, a replaced guard.
  for (const body of [
    "local function mk() return g:string() end\nreturn function(b) return b:expect { a = mk() } end",
    "local v = g:string()\nv:required()\nreturn function(b) return b:expect { a = v } end",
    "local s = { a = g:string() }\ns.b = g:integer()\nreturn function(ctx) return ctx:body():expect(s) end",
    // Any receiver's :expect may be the app's own, which could change the table.
    "local s = { a = g:string() }\nreturn function(b, ctx) b:expect(s) return ctx:body():expect(s) end",
    "local s = { a = g:string() }\nreturn s, function(b) return b:expect(s) end",
    "local e = g:extend { x = function() end }\nreturn function(b) return b:expect { a = e:string() } end",
    "return function(b) return b:expect { a = g:string().required() } end",
    "local d = 1\nreturn function(b) return b:expect { a = g:integer():default(d) } end",
    "return function(b, s) return b:expect(s) end",
  ]) {
    assert.deepEqual(planned(head + body), [], body);
  }
});
