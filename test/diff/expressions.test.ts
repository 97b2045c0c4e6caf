// Random differential test of expressions: a seeded generator builds a few hundred Lua
// expressions from literals (nil, booleans, numbers, numeric and other strings, small tables),
// a few upvalues, and the operators and/or/not, + - * / % ^, unary minus, #, .., comparisons
// and parentheses.
// ONE Lua program evaluates each inside pcall and prints a printable form of the result (or the
// error message without its "chunk:line: " prefix); LuaJIT and Rover must print the same lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { runLuajit, runRover, writeTempLua } from "../lib/lua.ts";
import { rng } from "../lib/random.ts";

// EXPR_SEED / EXPR_COUNT override the fixed seed and count for a longer bug hunt.
const SEED = Number(process.env.EXPR_SEED ?? 0x5eed_2024);
const COUNT = Number(process.env.EXPR_COUNT ?? 400);

// Values by kind, so that most arithmetic and comparisons reach a result instead of an error.
// xn, xs, xt are upvalues (nil, "10", a table) so that messages also name variables and fields.
const NUMBERS = ["0", "-0.0", "1", "2.5", "-7", "3", "0.1", "1e300", '"10"', '"0x10"', '" 5 "'];
const STRINGS = ['""', '"10"', '"0x10"', '"abc"', '"-7"', "xs", "2.5", "-0.0"];
const OTHERS = ["nil", "false", "true", "{}", "{1, 2}", "xn", "xt", "xt.f", '"abc"'];
const ARITH = ["+", "-", "*", "/", "%", "^"];
const COMPARE = ["==", "~=", "<", "<=", ">", ">="];
const LOGIC = ["and", "or"];

type Kind = "num" | "str" | "any";

function generator(seed: number): (depth: number) => string {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  /** A leaf of the wanted kind; one time in ten any value at all (to provoke errors). */
  const leaf = (kind: Kind): string => {
    if (kind === "any" || rand() < 0.1) return pick([...NUMBERS, ...STRINGS, ...OTHERS]);
    return pick(kind === "num" ? NUMBERS : STRINGS);
  };
  const expr = (depth: number, kind: Kind): string => {
    const r = rand();
    if (depth <= 0 || r < 0.2) return leaf(kind);
    const d = depth - 1;
    // Operands are written without parentheses most of the time, which exercises precedence
    // and associativity too; unary minus gets a space so that "- -7" is not a comment.
    if (r < 0.3) return `(${expr(d, kind)})`;
    if (kind === "str") return `${expr(d, rand() < 0.5 ? "str" : "num")} .. ${expr(d, "str")}`;
    if (r < 0.4) return `- ${expr(d, "num")}`;
    if (kind === "num" || r < 0.6) {
      if (rand() < 0.1) return rand() < 0.5 ? `#${pick(['"abc"', "xs", "{1, 2}"])}` : `#(${expr(d, "str")})`;
      return `${expr(d, "num")} ${pick(ARITH)} ${expr(d, "num")}`;
    }
    if (r < 0.65) return `not ${expr(d, "any")}`;
    if (r < 0.8) {
      const k: Kind = rand() < 0.5 ? "num" : "str";
      return `${expr(d, k)} ${pick(COMPARE)} ${expr(d, rand() < 0.85 ? k : "any")}`;
    }
    if (r < 0.85) return `${expr(d, "str")} .. ${expr(d, "num")}`;
    return `${expr(d, "any")} ${pick(LOGIC)} ${expr(d, "any")}`;
  };
  return (depth) => expr(depth, "any");
}

const PRELUDE = `
local xn, xs, xt = nil, "10", {}
local function show(ok, ...)
  if not ok then
    return "error: " .. (tostring((...)):gsub("^[^:]*:%d+: ", ""))
  end
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    local t = type(v)
    if t == "string" then parts[i] = string.format("%q", v)
    elseif t == "table" or t == "function" then parts[i] = t
    else parts[i] = tostring(v) end
  end
  return table.concat(parts, ", ")
end
`;

test("random expressions evaluate as in LuaJIT", async () => {
  const expr = generator(SEED);
  const exprs: string[] = [];
  for (let i = 0; i < COUNT; i++) exprs.push(expr(1 + (i % 4)));
  const lines = exprs.map((e) => `print(show(pcall(function() return ${e} end)))`);
  const file = writeTempLua(PRELUDE + lines.join("\n") + "\n", "expressions.lua");
  try {
    const expected = runLuajit(file);
    assert.equal(expected.status, 0, `luajit failed: ${expected.error}`);
    const actual = await runRover(file);
    assert.equal(actual.error, "", "rover raised an uncaught error");
    const want = expected.stdout.split("\n");
    const got = actual.stdout.split("\n");
    assert.equal(want.length, COUNT + 1, "luajit printed one line per expression");
    for (let i = 0; i < COUNT; i++) {
      if (got[i] !== want[i]) {
        assert.fail(`expression #${i + 1}: ${exprs[i]}\n  luajit: ${want[i]}\n  rover:  ${got[i]}`);
      }
    }
    assert.equal(got.length, want.length);
    assert.equal(actual.status, expected.status);
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
});
