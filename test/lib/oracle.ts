// Differential harness for library tests: each case is a Lua snippet run in ONE batched
// LuaJIT process and the same computation against Rover's library from JS; both sides
// encode their results the same way (numbers to 17 digits, strings as hex, tables sorted),
// so the comparison is exact.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { LuaTable } from "../../runtime/lua/table.ts";
import type { LuaValue } from "../../runtime/lua/value.ts";
import { Multi } from "../../runtime/lua/multi.ts";
import { LuaError } from "../../runtime/lua/errors.ts";
import { formatG } from "../../runtime/lua/number.ts";

export interface Case {
  /** A Lua function body returning pack(...). */
  lua: string;
  /** The same computation against Rover's library. */
  js: () => any;
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

export function enc(v: LuaValue): string {
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

export function runJs(c: Case): string {
  try {
    const r = c.js();
    const values = r instanceof Multi ? r.values : [r];
    return values.map(enc).join(" ");
  } catch (e) {
    if (e instanceof LuaError) return "E:" + enc(e.value);
    throw e;
  }
}

export function luajitLines(cases: Case[], env?: NodeJS.ProcessEnv): string[] {
  const src = PRELUDE + cases.map((c) => "run(function() " + c.lua + " end)\n").join("");
  const p = spawnSync("luajit", ["-"], { input: Buffer.from(src, "latin1"), encoding: "latin1", env });
  assert.equal(p.status, 0, p.stderr);
  return p.stdout.split("\n").slice(0, cases.length);
}

/** Compares every case; `ulps` > 0 lets numbers differ by that many units in the last place. */
export function compare(cases: Case[], options: { ulps?: number; env?: NodeJS.ProcessEnv } = {}): void {
  const expected = luajitLines(cases, options.env);
  const ulps = options.ulps ?? 0;
  for (let i = 0; i < cases.length; i++) {
    const got = runJs(cases[i]);
    if (ulps > 0 && got !== expected[i]) {
      assert.ok(withinUlps(got, expected[i], ulps), `case: ${cases[i].lua}: ${got} vs ${expected[i]}`);
    } else {
      assert.equal(got, expected[i], "case: " + cases[i].lua);
    }
  }
}

/** V8's fdlibm-derived libm and glibc agree to 1 ulp, not always bit for bit. */
function withinUlps(a: string, b: string, ulps: number): boolean {
  const xs = a.split(" ");
  const ys = b.split(" ");
  if (xs.length !== ys.length) return false;
  return xs.every((x, i) => {
    if (x === ys[i]) return true;
    if (!x.startsWith("n:") || !ys[i].startsWith("n:")) return false;
    const p = Number(x.slice(2));
    const q = Number(ys[i].slice(2));
    const ulp = Math.max(Number.MIN_VALUE, 2 ** (Math.floor(Math.log2(Math.abs(q))) - 52));
    return Math.abs(p - q) <= ulps * ulp;
  });
}

/** A Lua literal for a JS value (numbers round-trip exactly through the decimal text). */
export function lit(v: LuaValue): string {
  if (v === undefined) return "nil";
  if (typeof v === "number") {
    if (v !== v) return "(0/0)";
    if (v === Infinity) return "(1/0)";
    if (v === -Infinity) return "(-1/0)";
    return Object.is(v, -0) ? "(-0.0)" : "(" + String(v) + ")";
  }
  if (typeof v === "string") return '"' + v.replace(/[^ !#-[\]-~]/g, (c) => "\\" + c.charCodeAt(0)) + '"';
  if (v instanceof LuaTable) {
    const items: string[] = [];
    let e = v.next(undefined);
    while (e !== undefined) {
      items.push("[" + lit(e[0]) + "]=" + lit(e[1]));
      e = v.next(e[0]);
    }
    return "{" + items.join(",") + "}";
  }
  return String(v);
}

/** `libName.name(args...)` on both sides. */
export function libCall(lib: LuaTable, libName: string, name: string, ...args: LuaValue[]): Case {
  return {
    lua: `return pack(${libName}.${name}(${args.map(lit).join(", ")}))`,
    js: () => (lib.getStr(name) as (...a: LuaValue[]) => any)(...args),
  };
}
