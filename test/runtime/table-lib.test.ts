// Differential tests of the table library: every case runs once in real LuaJIT (one batched
// process) and once against createTableLib() from JS; the encoded results must be identical.
import { test } from "node:test";
import { type Case, compare } from "../lib/oracle.ts";
import assert from "node:assert/strict";
import { LuaTable, tableFrom } from "../../runtime/lua/table.ts";
import type { LuaValue } from "../../runtime/lua/value.ts";
import { Multi } from "../../runtime/lua/multi.ts";
import { createTableLib } from "../../runtime/lua/stdlib/table.ts";

// ---------------------------------------------------------------- cases

const lib = createTableLib();
const T = (...items: LuaValue[]) => tableFrom(items, undefined);
const call = (name: string, ...args: LuaValue[]) => (lib.getStr(name) as (...a: LuaValue[]) => any)(...args);

/** Runs `steps` on a fresh table and returns the results followed by the table itself. */
function withTable(items: LuaValue[], steps: (t: LuaTable) => LuaValue[]): () => any {
  return () => {
    const t = T(...items);
    const r = steps(t);
    return new Multi([...r, t]);
  };
}

function first(r: any): LuaValue {
  return r instanceof Multi ? r.values[0] : r;
}

test("table.insert", () => {
  compare([
    {
      lua: "local t = {1,2,3} table.insert(t, 'x') return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, "x"), [])),
    },
    {
      lua: "local t = {} table.insert(t, 'x') return pack(t)",
      js: withTable([], (t) => (call("insert", t, "x"), [])),
    },
    {
      lua: "local t = {1,2,3} table.insert(t, 1, 'x') return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, 1, "x"), [])),
    },
    {
      lua: "local t = {1,2,3} table.insert(t, 2, 'x') return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, 2, "x"), [])),
    },
    {
      lua: "local t = {1,2,3} table.insert(t, 4, 'x') return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, 4, "x"), [])),
    },
    {
      lua: "local t = {1,2,3} table.insert(t, 5, 'x') return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, 5, "x"), [])),
    },
    {
      lua: "local t = {1,2,3} table.insert(t, 0, 'x') return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, 0, "x"), [])),
    },
    {
      lua: "local t = {1,2,3} table.insert(t, -2, 'x') return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, -2, "x"), [])),
    },
    {
      lua: "local t = {1,2,3} table.insert(t, 2.7, 'x') return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, 2.7, "x"), [])),
    },
    {
      lua: "local t = {1,2,3} table.insert(t, '2', 'x') return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, "2", "x"), [])),
    },
    {
      lua: "local t = {1,2,3} table.insert(t, nil) return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, undefined), [])),
    },
    {
      lua: "local t = {1,2,3} table.insert(t, 4, nil) return pack(t)",
      js: withTable([1, 2, 3], (t) => (call("insert", t, 4, undefined), [])),
    },
    {
      lua: "local t = {1,2,3,[5]=5,[6]=6} table.insert(t, 2, 'x') return pack(t, #t)",
      js: () => {
        const t = tableFrom([1, 2, 3], [5, 5, 6, 6]);
        call("insert", t, 2, "x");
        return new Multi([t, t.length()]);
      },
    },
    ...[0.5, -0.5, 1.5, 2.5, "2.5", 3.99].map((p) => ({
      lua: `local t = {1,2,3} table.insert(t, ${JSON.stringify(p)}, 'x') return pack(t)`,
      js: withTable([1, 2, 3], (t) => (call("insert", t, p, "x"), [])),
    })),
    { lua: "local r = table.insert({}, 1, 2, 3) return pack(r)", js: () => call("insert", T(), 1, 2, 3) },
    { lua: "local r = table.insert({}) return pack(r)", js: () => call("insert", T()) },
    { lua: "local r = table.insert() return pack(r)", js: () => call("insert") },
    { lua: "local r = table.insert(nil, 1) return pack(r)", js: () => call("insert", undefined, 1) },
    { lua: "local r = table.insert({}, 'a', 1) return pack(r)", js: () => call("insert", T(), "a", 1) },
    { lua: "local r = table.insert({}, nil, 1) return pack(r)", js: () => call("insert", T(), undefined, 1) },
    { lua: "return pack(table.insert({}, 1))", js: () => call("insert", T(), 1) },
  ]);
});

test("table.remove", () => {
  compare([
    {
      lua: "local t = {1,2,3} return pack(table.remove(t), t)",
      js: withTable([1, 2, 3], (t) => [first(call("remove", t))]),
    },
    {
      lua: "local t = {1,2,3} return pack(table.remove(t, 1), t)",
      js: withTable([1, 2, 3], (t) => [first(call("remove", t, 1))]),
    },
    {
      lua: "local t = {1,2,3} return pack(table.remove(t, 2), t)",
      js: withTable([1, 2, 3], (t) => [first(call("remove", t, 2))]),
    },
    {
      lua: "local t = {1,2,3} return pack(table.remove(t, 3), t)",
      js: withTable([1, 2, 3], (t) => [first(call("remove", t, 3))]),
    },
    { lua: "local t = {1,2,3} return pack(table.remove(t, 4))", js: () => call("remove", T(1, 2, 3), 4) },
    { lua: "local t = {1,2,3} return pack(table.remove(t, 0))", js: () => call("remove", T(1, 2, 3), 0) },
    {
      lua: "local t = {1,2,3} return pack(table.remove(t, 1.5), t)",
      js: withTable([1, 2, 3], (t) => [first(call("remove", t, 1.5))]),
    },
    {
      lua: "local t = {1,2,3} return pack(table.remove(t, '2'), t)",
      js: withTable([1, 2, 3], (t) => [first(call("remove", t, "2"))]),
    },
    { lua: "return pack(table.remove({}))", js: () => call("remove", T()) },
    { lua: "return pack(table.remove({}, 1))", js: () => call("remove", T(), 1) },
    { lua: "return pack(table.remove({}, 0))", js: () => call("remove", T(), 0) },
    { lua: "return pack(table.remove({1,2}, 'x'))", js: () => call("remove", T(1, 2), "x") },
    { lua: "return pack(table.remove())", js: () => call("remove") },
    { lua: "return pack(table.remove(5))", js: () => call("remove", 5) },
    ...[1.5, 1.9, 2.5, 4.5, 0.5, -0.5, "1.5"].map((p) => ({
      lua: `local t = {1,2,3,4,5} return pack(table.remove(t, ${JSON.stringify(p)}), t)`,
      js: withTable([1, 2, 3, 4, 5], (t) => [first(call("remove", t, p))]),
    })),
    {
      // Raw: neither __index nor __newindex runs while shifting.
      lua: "local log = {} local mt = {__index = function(t, k) log[#log+1] = 'i' .. k end, __newindex = function(t, k, v) log[#log+1] = 'n' .. k end} local t = setmetatable({1,2,3}, mt) local r = table.remove(t, 1) return pack(r, #log, rawget(t, 1), rawget(t, 3))",
      js: () => {
        let calls = 0;
        const mt = new LuaTable();
        mt.setStr("__index", () => void calls++);
        mt.setStr("__newindex", () => void calls++);
        const t = T(1, 2, 3);
        t.metatable = mt;
        const r = first(call("remove", t, 1));
        return new Multi([r, calls, t.getNum(1), t.getNum(3)]);
      },
    },
  ]);
});

test("table.concat", () => {
  compare([
    { lua: "return pack(table.concat({1,2,3}))", js: () => call("concat", T(1, 2, 3)) },
    {
      lua: "return pack(table.concat({1,2.5,'x',-0,1e100}, ', '))",
      js: () => call("concat", T(1, 2.5, "x", -0, 1e100), ", "),
    },
    { lua: "return pack(table.concat({1,2,3}, ',', 2))", js: () => call("concat", T(1, 2, 3), ",", 2) },
    { lua: "return pack(table.concat({1,2,3}, ',', 2, 3))", js: () => call("concat", T(1, 2, 3), ",", 2, 3) },
    { lua: "return pack(table.concat({1,2,3}, ',', 3, 2))", js: () => call("concat", T(1, 2, 3), ",", 3, 2) },
    { lua: "return pack(table.concat({1,2,3}, ',', 2, 5))", js: () => call("concat", T(1, 2, 3), ",", 2, 5) },
    {
      lua: "return pack(table.concat({1,2,3}, ',', 1, nil))",
      js: () => call("concat", T(1, 2, 3), ",", 1, undefined),
    },
    { lua: "return pack(table.concat({1,2,3}, nil, 2))", js: () => call("concat", T(1, 2, 3), undefined, 2) },
    { lua: "return pack(table.concat({1,2,3}, 0))", js: () => call("concat", T(1, 2, 3), 0) },
    { lua: "return pack(table.concat({1,{},3}, ','))", js: () => call("concat", T(1, T(), 3), ",") },
    { lua: "return pack(table.concat({true}))", js: () => call("concat", T(true)) },
    { lua: "return pack(table.concat({}, ','))", js: () => call("concat", T(), ",") },
    { lua: "return pack(table.concat({'a'}, {}))", js: () => call("concat", T("a"), T()) },
    { lua: "return pack(table.concat({'a'}, ',', 'x'))", js: () => call("concat", T("a"), ",", "x") },
    { lua: "return pack(table.concat())", js: () => call("concat") },
    { lua: "return pack(table.concat(nil))", js: () => call("concat", undefined) },
    {
      lua: "return pack(table.concat({[0]='z', 'a'}, '-', 0))",
      js: () => call("concat", tableFrom(["a"], [0, "z"]), "-", 0),
    },
  ]);
});

/** Deterministic pseudo-random data shared by the Lua and JS sides. */
function data(n: number, mod: number, seed: number): number[] {
  const out: number[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(x % mod);
  }
  return out;
}

function logged(comp: (a: any, b: any) => boolean): { log: LuaValue[]; f: (a: any, b: any) => boolean } {
  const log: LuaValue[] = [];
  return { log, f: (a, b) => (log.push(String(a) + ":" + String(b)), comp(a, b)) };
}

test("table.sort", () => {
  const cases: Case[] = [];
  for (const [n, mod] of [
    [0, 1],
    [1, 5],
    [2, 5],
    [3, 5],
    [10, 4],
    [37, 10],
    [200, 50],
    [1000, 1000],
  ]) {
    const xs = data(n, mod, n + mod);
    const lit = "{" + xs.join(",") + "}";
    cases.push({
      lua: `local t = ${lit} table.sort(t) return pack(t)`,
      js: withTable(xs, (t) => (call("sort", t), [])),
    });
    cases.push({
      lua: `local t = ${lit} table.sort(t, function(a, b) return a > b end) return pack(t)`,
      js: withTable(xs, (t) => (call("sort", t, (a: number, b: number) => a > b), [])),
    });
    // Calls, their order and arguments must match (the comparator sees ties and duplicates).
    cases.push({
      lua: `local t, log = ${lit}, {} table.sort(t, function(a, b) log[#log+1] = a .. ":" .. b return a < b end) return pack(table.concat(log, " "))`,
      js: () => {
        const { log, f } = logged((a, b) => a < b);
        call("sort", T(...xs), f);
        return log.join(" ");
      },
    });
    // An inconsistent comparator: results and the failure point follow ltablib's quicksort.
    cases.push({
      lua: `local t = ${lit} table.sort(t, function(a, b) return a <= b end) return pack(t)`,
      js: withTable(xs, (t) => (call("sort", t, (a: number, b: number) => a <= b), [])),
    });
    cases.push({
      lua: `local t = ${lit} table.sort(t, function(a, b) return true end) return pack(t)`,
      js: withTable(xs, (t) => (call("sort", t, () => true), [])),
    });
  }
  const words = ["pear", "apple", "fig", "Apple", "", "apple pie", "\xff", "banana"];
  const wlit = "{" + words.map((w) => JSON.stringify(w)).join(",") + "}";
  cases.push({
    lua: `local t = ${wlit} table.sort(t) return pack(t)`,
    js: withTable(words, (t) => (call("sort", t), [])),
  });
  cases.push(
    {
      lua: "local t = {3,'a',1} table.sort(t) return pack(t)",
      js: withTable([3, "a", 1], (t) => (call("sort", t), [])),
    },
    { lua: "table.sort({{},{}}) return pack()", js: () => call("sort", T(T(), T())) },
    { lua: "table.sort({1,true}) return pack()", js: () => call("sort", T(1, true)) },
    { lua: "table.sort({1,2,3}, 5) return pack()", js: () => call("sort", T(1, 2, 3), 5) },
    { lua: "table.sort() return pack()", js: () => call("sort") },
    { lua: "table.sort(nil) return pack()", js: () => call("sort", undefined) },
    {
      lua: "local t = {2,1} table.sort(t, nil) return pack(t)",
      js: withTable([2, 1], (t) => (call("sort", t, undefined), [])),
    },
    {
      lua: "local mt = {__lt = function(a, b) return a.v < b.v end} local t = {} for i, v in ipairs({5,2,8,1}) do t[i] = setmetatable({v=v}, mt) end table.sort(t) return pack(t[1].v, t[2].v, t[3].v, t[4].v)",
      js: () => {
        const mt = new LuaTable();
        mt.setStr(
          "__lt",
          (a: LuaTable, b: LuaTable) => (a.getStr("v") as number) < (b.getStr("v") as number),
        );
        const t = T(
          ...[5, 2, 8, 1].map((v) => {
            const o = new LuaTable();
            o.setStr("v", v);
            o.metatable = mt;
            return o;
          }),
        );
        call("sort", t);
        return new Multi(t.arr.map((o) => (o as LuaTable).getStr("v")));
      },
    },
  );
  compare(cases);
});

test("table.maxn, getn, move, foreach, foreachi", () => {
  compare([
    {
      lua: "return pack(table.maxn({1,2,[10]=5,[20.5]=1,x=3}))",
      js: () => call("maxn", tableFrom([1, 2], [10, 5, 20.5, 1, "x", 3])),
    },
    { lua: "return pack(table.maxn({[-5]=1}))", js: () => call("maxn", tableFrom([], [-5, 1])) },
    { lua: "return pack(table.maxn({}))", js: () => call("maxn", T()) },
    { lua: "return pack(table.maxn())", js: () => call("maxn") },
    { lua: "return pack(table.getn({1,2,3}))", js: () => call("getn", T(1, 2, 3)) },
    { lua: "return pack(table.getn())", js: () => call("getn") },
    { lua: "return pack(table.move({1,2,3}, 1, 3, 3))", js: () => call("move", T(1, 2, 3), 1, 3, 3) },
    { lua: "return pack(table.move({1,2,3}, 2, 3, 1))", js: () => call("move", T(1, 2, 3), 2, 3, 1) },
    {
      lua: "return pack(table.move({1,2,3}, 1, 3, 2, {}))",
      js: () => call("move", T(1, 2, 3), 1, 3, 2, T()),
    },
    { lua: "return pack(table.move({1,2,3}, 3, 1, 2))", js: () => call("move", T(1, 2, 3), 3, 1, 2) },
    { lua: "return pack(table.move({1,2,3}, 1, 3, 1, 5))", js: () => call("move", T(1, 2, 3), 1, 3, 1, 5) },
    {
      lua: "return pack(table.move({1,2,3,4,5}, 1.5, 3.5, 2.5))",
      js: () => call("move", T(1, 2, 3, 4, 5), 1.5, 3.5, 2.5),
    },
    {
      lua: "return pack(table.move({1,2,3,4,5}, '1', '2', '3'))",
      js: () => call("move", T(1, 2, 3, 4, 5), "1", "2", "3"),
    },
    { lua: "return pack(table.move({1,2,3}, -1, 1, 3))", js: () => call("move", T(1, 2, 3), -1, 1, 3) },
    { lua: "return pack(table.move({}, 1, 2))", js: () => call("move", T(), 1, 2) },
    { lua: "return pack(table.move({}, 'x', 2, 3))", js: () => call("move", T(), "x", 2, 3) },
    { lua: "return pack(table.move())", js: () => call("move") },
    {
      lua: "local log = {} local r = table.foreachi({'a','b','c'}, function(i, v) log[#log+1] = i .. v end) return pack(r, table.concat(log, ','))",
      js: () => {
        const log: string[] = [];
        const r = first(
          call("foreachi", T("a", "b", "c"), (i: number, v: string) => (log.push(i + v), undefined)),
        );
        return new Multi([r, log.join(",")]);
      },
    },
    {
      lua: "return pack(table.foreachi({'a','b','c'}, function(i, v) if i == 2 then return v, 'extra' end end))",
      js: () =>
        call("foreachi", T("a", "b", "c"), (i: number, v: string) =>
          i === 2 ? new Multi([v, "extra"]) : undefined,
        ),
    },
    {
      lua: "return pack(table.foreach({x = 1}, function(k, v) return k .. v end))",
      js: () => call("foreach", tableFrom([], ["x", 1]), (k: string, v: number) => k + v),
    },
    { lua: "return pack(table.foreach({1}))", js: () => call("foreach", T(1)) },
    { lua: "return pack(table.foreachi())", js: () => call("foreachi") },
  ]);
});

test("table library functions carry their names", () => {
  for (const name of ["insert", "remove", "concat", "sort", "maxn", "getn", "move", "foreach", "foreachi"]) {
    assert.equal((lib.getStr(name) as () => void).name, name);
  }
  assert.equal(lib.getStr("unpack"), undefined); // absent in LuaJIT 2.1 without 5.2 compat
  assert.equal(lib.getStr("pack"), undefined);
});
