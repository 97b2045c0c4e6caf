// Differential tests of the bit library: each case runs in real LuaJIT (one batched process)
// and against createBitLib() from JS; the encoded results must be identical.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { LuaTable } from "../../runtime/lua/table.ts";
import type { LuaValue } from "../../runtime/lua/value.ts";
import { Multi } from "../../runtime/lua/multi.ts";
import { LuaError } from "../../runtime/lua/errors.ts";
import { formatG } from "../../runtime/lua/number.ts";
import { createBitLib } from "../../runtime/lua/stdlib/bit.ts";

// ---------------------------------------------------------------- oracle harness

interface Case {
  lua: string; // a Lua function body returning pack(...)
  js: () => any; // the same computation against Rover's library
}

const PRELUDE = String.raw`
local enc
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
enc = function(v)
  local t = type(v)
  if t == "nil" then return "nil" end
  if t == "number" then return "n:" .. string.format("%.17g", v) end
  if t == "string" then return "s:" .. hex(v) end
  if t == "boolean" then return "b:" .. tostring(v) end
  if t ~= "table" then return t end
  local items = {}
  for k, x in pairs(v) do items[#items + 1] = enc(k) .. "=" .. enc(x) end
  table.sort(items)
  return "{" .. table.concat(items, ",") .. "}"
end
function pack(...) return { n = select("#", ...), ... } end
local function run(f)
  local ok, r = pcall(f)
  if not ok then io.write("E:", enc((tostring(r):gsub("^stdin:%d+: ", ""))), "\n") return end
  local out = {}
  for i = 1, r.n do out[i] = enc(r[i]) end
  io.write(table.concat(out, " "), "\n")
end
`;

function enc(v: LuaValue): string {
  if (v === undefined) return "nil";
  if (typeof v === "number") return "n:" + formatG(v, 17, false);
  if (typeof v === "string") return "s:" + Buffer.from(v, "latin1").toString("hex");
  if (typeof v === "boolean") return "b:" + v;
  if (!(v instanceof LuaTable)) return typeof v;
  const items: string[] = [];
  let e = v.next(undefined);
  while (e !== undefined) {
    items.push(enc(e[0]) + "=" + enc(e[1]));
    e = v.next(e[0]);
  }
  // Lua's table.sort on strings compares bytes, as JS does on these ASCII encodings.
  items.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return "{" + items.join(",") + "}";
}

function runJs(c: Case): string {
  try {
    const r = c.js();
    const values = r instanceof Multi ? r.values : [r];
    return values.map(enc).join(" ");
  } catch (e) {
    if (e instanceof LuaError) return "E:" + enc(e.value);
    throw e;
  }
}

function luajitLines(cases: Case[]): string[] {
  const src = PRELUDE + cases.map((c) => "run(function() " + c.lua + " end)\n").join("");
  const p = spawnSync("luajit", ["-"], { input: Buffer.from(src, "latin1"), encoding: "latin1" });
  assert.equal(p.status, 0, p.stderr);
  return p.stdout.split("\n").slice(0, cases.length);
}

function compare(cases: Case[]): void {
  const expected = luajitLines(cases);
  for (let i = 0; i < cases.length; i++) {
    assert.equal(runJs(cases[i]), expected[i], "case: " + cases[i].lua);
  }
}

/** A Lua literal for a JS value (numbers round-trip exactly through the decimal text). */
function lit(v: LuaValue): string {
  if (v === undefined) return "nil";
  if (typeof v === "number") {
    if (v !== v) return "(0/0)";
    if (v === Infinity) return "(1/0)";
    if (v === -Infinity) return "(-1/0)";
    return Object.is(v, -0) ? "(-0.0)" : "(" + String(v) + ")";
  }
  if (typeof v === "string") return '"' + v.replace(/[^ !#-[\]-~]/g, (c) => "\\" + c.charCodeAt(0)) + '"';
  return v instanceof LuaTable ? "{}" : String(v);
}

const lib = createBitLib();

/** bit.name(args...) on both sides. */
function call(name: string, ...args: LuaValue[]): Case {
  return {
    lua: `return pack(bit.${name}(${args.map(lit).join(", ")}))`,
    js: () => (lib.getStr(name) as (...a: LuaValue[]) => any)(...args),
  };
}

const NUMBERS = [
  0,
  1,
  -1,
  2.5,
  3.5,
  -2.5,
  -3.5,
  0.5,
  -0.5,
  1.5,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  2 ** 32 + 7,
  -(2 ** 32) - 7,
  2 ** 52,
  2 ** 53 + 2,
  2 ** 51 + 0.5,
  2 ** 63,
  1e300,
  -1e300,
  5e-324,
  NaN,
  Infinity,
  -Infinity,
  0x12345678,
  0x87654321,
  0xdeadbeef,
  4294967295,
  123456.789,
  -0,
];

test("tobit, bnot, bswap normalise like lj_num2bit", () => {
  const cases: Case[] = [];
  for (const name of ["tobit", "bnot", "bswap"]) {
    for (const x of NUMBERS) cases.push(call(name, x));
    cases.push(call(name, "0xff"), call(name, " 12 "), call(name, "1e3"), call(name, "x"), call(name));
    cases.push(call(name, undefined), call(name, true), call(name, new LuaTable()));
  }
  compare(cases);
});

test("shifts and rotations", () => {
  const cases: Case[] = [];
  const counts = [0, 1, 4, 8, 31, 32, 33, 36, -1, -4, 2.5, 1e10];
  for (const name of ["lshift", "rshift", "arshift", "rol", "ror"]) {
    for (const x of [1, -1, -256, 0x12345678, 0x87654321, 2 ** 40 + 3, 1.5]) {
      for (const n of counts) cases.push(call(name, x, n));
    }
    cases.push(call(name, 1), call(name, 1, undefined), call(name, "8", "1"), call(name, 1, "x"), call(name));
  }
  compare(cases);
});

test("band, bor, bxor are variadic", () => {
  const cases: Case[] = [];
  for (const name of ["band", "bor", "bxor"]) {
    cases.push(call(name, 0x0f0f, 0x00ff), call(name, -1, 0x12345678, 0xff00ff), call(name, 7));
    cases.push(
      call(name, 2 ** 32 + 5, 3.5),
      call(name, "0xf0", "0x3c"),
      call(name, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    );
    cases.push(call(name), call(name, 1, undefined), call(name, 1, 2, "x"), call(name, undefined));
  }
  compare(cases);
});

test("tohex", () => {
  const cases: Case[] = [];
  for (const x of [0x12345678, -1, 255, 0, 0xabcdef, 2 ** 40 + 5, -0.5, 1e300]) {
    cases.push(call("tohex", x));
    for (const n of [
      0,
      1,
      2,
      7,
      8,
      9,
      12,
      16,
      17,
      100,
      253,
      254,
      255,
      300,
      -1,
      -2,
      -8,
      -9,
      -255,
      -(2 ** 31),
      2 ** 32 + 3,
    ]) {
      cases.push(call("tohex", x, n));
    }
  }
  cases.push(call("tohex", "0xff", "2"), call("tohex", 1, undefined), call("tohex"), call("tohex", "x"));
  compare(cases);
});

test("bit functions carry their names", () => {
  let e = lib.next(undefined);
  let count = 0;
  while (e !== undefined) {
    assert.equal((e[1] as () => void).name, e[0]);
    count++;
    e = lib.next(e[0]);
  }
  assert.equal(count, 12);
  assert.ok(new Multi([]).values.length === 0);
});
