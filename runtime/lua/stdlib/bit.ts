// LuaJIT's BitOp library (lib_bit.c) on plain numbers: arguments are normalised to int32 the
// way lj_num2bit does (add 2^52+2^51, keep the low 32 bits of the double), so fractions round
// half to even and big values wrap modulo 2^32; every result is a signed 32-bit integer.
import { LuaTable } from "../table.ts";
import type { LuaValue } from "../value.ts";
import { argError, checkNumber } from "../args.ts";
import { define } from "./define.ts";

const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer); // little-endian: i32[0] is the low word

/** lj_num2bit: the low 32 bits of n + 2^52 + 2^51, as a signed integer. */
export function num2bit(n: number): number {
  if ((n | 0) === n) return n | 0; // also turns -0 into 0
  f64[0] = n + 6755399441055744.0;
  return i32[0];
}

/** lj_carith_check64 on a non-cdata: a number or numeric string, else "number expected". */
function bitArg(v: LuaValue, n: number, fname: string, present: boolean): number {
  if (typeof v === "number") return num2bit(v);
  if (v === undefined) argError(n, fname, "number expected, got " + (present ? "nil" : "no value"));
  return num2bit(checkNumber(v, n, fname));
}

function unary(name: string, op: (x: number) => number): (x: LuaValue) => number {
  return function (x: LuaValue): number {
    return op(typeof x === "number" && (x | 0) === x ? x | 0 : bitArg(x, 1, name, arguments.length > 0));
  };
}

/** Shift and rotate: the count is taken modulo 32, as the x86 instructions do. */
function shift(name: string, op: (x: number, n: number) => number): (x: LuaValue, n: LuaValue) => number {
  return function (x: LuaValue, n: LuaValue): number {
    const nargs = arguments.length;
    return op(bitArg(x, 1, name, nargs > 0), bitArg(n, 2, name, nargs > 1) & 31);
  };
}

/** band/bor/bxor over any number of arguments (at least one). */
function nary(name: string, op: (a: number, b: number) => number): (...args: LuaValue[]) => number {
  return function (...args: LuaValue[]): number {
    let r = bitArg(args[0], 1, name, args.length > 0);
    for (let i = 1; i < args.length; i++) r = op(r, bitArg(args[i], i + 1, name, true));
    return r;
  };
}

/** bit.tohex(x [, n]): n hex digits (default 8), uppercase when n < 0, at most 254 digits. */
function tohex(x: LuaValue, count: LuaValue): string {
  const nargs = arguments.length;
  let b = bitArg(x, 1, "tohex", nargs > 0) >>> 0;
  let n = nargs < 2 ? 8 : bitArg(count, 2, "tohex", true);
  const upper = n < 0;
  if (upper) n = -n; // -2^31 stays out of range and is clamped below, as in C's unsigned compare
  if (n > 254 || n < 0) n = 254;
  if (n < 8) b = n === 0 ? 0 : b & (2 ** (4 * n) - 1);
  if (n === 0) return ""; // "%.0x" of 0 prints nothing
  const digits = b.toString(16);
  const s = digits.length < n ? "0".repeat(n - digits.length) + digits : digits;
  return upper ? s.toUpperCase() : s;
}

export function createBitLib(): LuaTable {
  const B = new LuaTable();
  define(
    B,
    "tobit",
    unary("tobit", (x) => x),
  );
  define(
    B,
    "bnot",
    unary("bnot", (x) => ~x),
  );
  define(
    B,
    "bswap",
    unary("bswap", (x) => (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24) | 0),
  );
  define(
    B,
    "lshift",
    shift("lshift", (x, n) => x << n),
  );
  define(
    B,
    "rshift",
    shift("rshift", (x, n) => (x >>> n) | 0),
  );
  define(
    B,
    "arshift",
    shift("arshift", (x, n) => x >> n),
  );
  define(
    B,
    "rol",
    shift("rol", (x, n) => (x << n) | (x >>> (32 - n))),
  );
  define(
    B,
    "ror",
    shift("ror", (x, n) => (x >>> n) | (x << (32 - n))),
  );
  define(
    B,
    "band",
    nary("band", (a, b) => a & b),
  );
  define(
    B,
    "bor",
    nary("bor", (a, b) => a | b),
  );
  define(
    B,
    "bxor",
    nary("bxor", (a, b) => a ^ b),
  );
  define(B, "tohex", tohex);
  return B;
}
