// The math library of LuaJIT 2.1 (lib_math.c): the libm wrappers, min/max with the VM's
// minsd/maxsd NaN behaviour, frexp/ldexp/modf as C defines them, and math.random's
// Tausworthe TW223 generator ported bit for bit, so seeded sequences equal LuaJIT's.
import { LuaTable } from "../table.ts";
import type { LuaValue } from "../value.ts";
import { EMPTY, Multi, first } from "../multi.ts";
import { LuaError } from "../errors.ts";
import { type, metamethod, callable } from "../ops.ts";
import { powC, stringToNumber } from "../number.ts";
import { argError, checkNumber } from "../args.ts";
import { define } from "./define.ts";

/** lj_lib_checknum; `present` tells an explicit nil ("got nil") from a missing argument ("got no value"). */
function numArg(v: LuaValue, n: number, fname: string, present: boolean): number {
  if (typeof v === "number") return v;
  if (v === undefined) argError(n, fname, "number expected, got " + (present ? "nil" : "no value"));
  return checkNumber(v, n, fname);
}

/** A one-argument libm function; the number check stays on the slow path. */
function unary(name: string, op: (x: number) => number): (x: LuaValue) => number {
  const f = function (x: LuaValue): number {
    return op(typeof x === "number" ? x : numArg(x, 1, name, arguments.length > 0));
  };
  return f;
}

/**
 * math.deg and math.rad are Lua functions in LuaJIT 2.1 (`return x * k`): ordinary arithmetic,
 * so strings coerce, __mul runs, and errors come from the "[builtin:deg]" chunk at line 0.
 */
function builtinMul(name: string, x: LuaValue, k: number): LuaValue {
  if (typeof x === "string") {
    const n = stringToNumber(x);
    if (n !== undefined) return n * k;
  }
  const mm = metamethod(x, "__mul");
  if (mm !== undefined) return first(callable(mm)(x, k));
  throw new LuaError("[builtin:" + name + "]:0: attempt to perform arithmetic on a " + type(x) + " value");
}

/** C's pow: unlike Math.pow, 1^y is 1 for every y (NaN included) and (-1)^±inf is 1. */

// ---------------------------------------------------------------- float decomposition

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian: u32[0] low word, u32[1] high word
const TWO64 = 18446744073709551616;

/** C's frexp: x = m * 2^e with 0.5 <= |m| < 1; zeros, infinities and NaN come back unchanged with e = 0. */
export function frexp(x: number): [number, number] {
  if (x === 0 || x !== x || x === Infinity || x === -Infinity) return [x, 0];
  let bias = 0;
  f64[0] = x;
  if ((u32[1] & 0x7ff00000) === 0) {
    f64[0] = x * TWO64; // subnormal: normalise first
    bias = 64;
  }
  const e = ((u32[1] >>> 20) & 0x7ff) - 1022 - bias;
  u32[1] = (u32[1] & 0x800fffff) | 0x3fe00000;
  return [f64[0], e];
}

/** musl's scalbn: x * 2^n with one rounding, stepping so intermediates neither overflow nor flush. */
export function ldexp(x: number, n: number): number {
  let y = x;
  if (n > 1023) {
    y *= 2 ** 1023;
    n -= 1023;
    if (n > 1023) {
      y *= 2 ** 1023;
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    // 2^-1022 * 2^53 keeps the intermediate normal, so the final multiply rounds once.
    y *= 2 ** -1022 * 2 ** 53;
    n += 1022 - 53;
    if (n < -1022) {
      y *= 2 ** -1022 * 2 ** 53;
      n += 1022 - 53;
      if (n < -1022) n = -1022;
    }
  }
  return y * 2 ** n;
}

/** LuaJIT's math.ldexp is x87 fscale: the exponent is truncated toward zero, infinite exponents scale to 0 or inf. */
function fscale(x: number, n: number): number {
  if (n !== n) return NaN;
  if (n === Infinity) return x === 0 ? NaN : x * Infinity;
  if (n === -Infinity) return x === Infinity || x === -Infinity ? NaN : x * 0;
  return ldexp(x, Math.max(-100000, Math.min(100000, Math.trunc(n))));
}

/** lj_vm_modf: integral part toward zero and the signed fraction (±0 for integers and infinities). */
function modfParts(x: number): [number, number] {
  const i = Math.trunc(x);
  if (x === Infinity || x === -Infinity) return [x, x > 0 ? 0 : -0];
  const frac = x - i;
  return [i, frac === 0 && (x < 0 || Object.is(x, -0)) ? -0 : frac];
}

// ---------------------------------------------------------------- TW223 PRNG

/**
 * The state of the four LFSR generators of lib_math.c, each a uint64 kept as two int32
 * words: [hi0, lo0, hi1, lo1, ...].
 */
type RandomState = Int32Array;

/**
 * One TW223_GEN step on generator g, a uint64 kept as the int32 words rs[2g] (high), rs[2g+1] (low):
 * z = (((z<<q)^z) >> (k-s)) ^ ((z & (~0 << (64-k))) << s). Every q, s and 64-k here is below 32, so
 * each shift moves bits between the two words the same way. Words stay int32 (no boxing).
 */
function twGen(rs: RandomState, g: number, k: number, q: number, s: number): void {
  const zhi = rs[2 * g];
  const zlo = rs[2 * g + 1];
  // a = (z << q) ^ z
  const ahi = ((zhi << q) | (zlo >>> (32 - q))) ^ zhi;
  const alo = (zlo << q) ^ zlo;
  // b = a >> (k - s), logical
  const r = k - s;
  let bhi: number, blo: number;
  if (r >= 32) {
    bhi = 0;
    blo = ahi >>> (r - 32);
  } else {
    bhi = ahi >>> r;
    blo = (alo >>> r) | (ahi << (32 - r));
  }
  // c = (z & mask) << s, where the mask clears the low 64-k bits (all in the low word)
  const mlo = zlo & (-1 << (64 - k));
  rs[2 * g] = bhi ^ ((zhi << s) | (mlo >>> (32 - s)));
  rs[2 * g + 1] = blo ^ (mlo << s);
}

/** lj_math_random_step: advances every generator and returns the low 52 bits of their xor as a fraction in [0, 1). */
function randomStep(rs: RandomState): number {
  // (k, q, s) of the four generators, from L'Ecuyer's table 3, 1st entry.
  twGen(rs, 0, 63, 31, 18);
  twGen(rs, 1, 58, 19, 28);
  twGen(rs, 2, 55, 24, 7);
  twGen(rs, 3, 47, 21, 8);
  const rhi = rs[0] ^ rs[2] ^ rs[4] ^ rs[6];
  const rlo = rs[1] ^ rs[3] ^ rs[5] ^ rs[7];
  // (r & 0x000fffffffffffff) | 0x3ff0000000000000 is 1 + m/2^52; LuaJIT then subtracts 1.0 exactly.
  return ((rhi & 0xfffff) * 4294967296 + (rlo >>> 0)) / 4503599627370496;
}

/** random_init: seeds the generators from a double, then warms them up with 10 steps. */
function randomInit(rs: RandomState, d: number): void {
  let r = 0x11090601; // 64-k[i] as four 8 bit constants
  for (let i = 0; i < 4; i++) {
    const m = 2 ** (r & 255);
    r >>>= 8;
    d = d * Math.PI + Math.E; // the C literals 3.14159265358979323846 and 2.7182818284590452354
    f64[0] = d;
    let hi = u32[1];
    let lo = u32[0];
    // if (u64 < m) u64 += m: ensure the k[i] most significant bits are not all zero. m < 2^32.
    if (hi === 0 && lo < m) {
      lo += m;
      if (lo >= 4294967296) {
        lo -= 4294967296;
        hi = 1;
      }
    }
    rs[2 * i] = hi;
    rs[2 * i + 1] = lo;
  }
  for (let i = 0; i < 10; i++) randomStep(rs);
}

// ---------------------------------------------------------------- the library

export function createMathLib(): LuaTable {
  const M = new LuaTable();
  define(M, "abs", unary("abs", Math.abs));
  define(M, "floor", unary("floor", Math.floor));
  define(M, "ceil", unary("ceil", Math.ceil));
  define(M, "sqrt", unary("sqrt", Math.sqrt));
  define(M, "log10", unary("log10", Math.log10));
  define(M, "exp", unary("exp", Math.exp));
  define(M, "sin", unary("sin", Math.sin));
  define(M, "cos", unary("cos", Math.cos));
  define(M, "tan", unary("tan", Math.tan));
  define(M, "asin", unary("asin", Math.asin));
  define(M, "acos", unary("acos", Math.acos));
  define(M, "atan", unary("atan", Math.atan));
  define(M, "sinh", unary("sinh", Math.sinh));
  define(M, "cosh", unary("cosh", Math.cosh));
  define(M, "tanh", unary("tanh", Math.tanh));
  define(M, "deg", (x: LuaValue) =>
    typeof x === "number" ? x * 57.29577951308232 : builtinMul("deg", x, 57.29577951308232),
  );
  define(M, "rad", (x: LuaValue) =>
    typeof x === "number" ? x * 0.017453292519943295 : builtinMul("rad", x, 0.017453292519943295),
  );
  define(M, "frexp", function (x: LuaValue) {
    return new Multi(frexp(numArg(x, 1, "frexp", arguments.length > 0)));
  });
  define(M, "modf", function (x: LuaValue) {
    return new Multi(modfParts(numArg(x, 1, "modf", arguments.length > 0)));
  });
  define(M, "log", function (x: LuaValue, base: LuaValue) {
    const nargs = arguments.length;
    const v = numArg(x, 1, "log", nargs > 0);
    if (nargs < 2) return Math.log(v);
    // LuaJIT: log2(x) * (1 / log2(base)), deliberately not one division.
    const b = numArg(base, 2, "log", true);
    return Math.log2(v) * (1 / Math.log2(b));
  });
  define(M, "atan2", function (y: LuaValue, x: LuaValue) {
    const nargs = arguments.length;
    return Math.atan2(numArg(y, 1, "atan2", nargs > 0), numArg(x, 2, "atan2", nargs > 1));
  });
  define(M, "pow", function (x: LuaValue, y: LuaValue) {
    const nargs = arguments.length;
    return powC(numArg(x, 1, "pow", nargs > 0), numArg(y, 2, "pow", nargs > 1));
  });
  define(M, "fmod", function (x: LuaValue, y: LuaValue) {
    const nargs = arguments.length;
    return numArg(x, 1, "fmod", nargs > 0) % numArg(y, 2, "fmod", nargs > 1); // JS % is C's fmod
  });
  define(M, "ldexp", function (x: LuaValue, e: LuaValue) {
    const nargs = arguments.length;
    const m = numArg(x, 1, "ldexp", nargs > 0);
    const n = numArg(e, 2, "ldexp", nargs > 1);
    return fscale(m, n);
  });
  define(M, "min", function (...args: LuaValue[]) {
    // minsd semantics: keep r only when r < x, so a NaN on either side yields the later operand.
    let r = numArg(args[0], 1, "min", args.length > 0);
    for (let i = 1; i < args.length; i++) {
      const x = numArg(args[i], i + 1, "min", true);
      r = r < x ? r : x;
    }
    return r;
  });
  define(M, "max", function (...args: LuaValue[]) {
    let r = numArg(args[0], 1, "max", args.length > 0);
    for (let i = 1; i < args.length; i++) {
      const x = numArg(args[i], i + 1, "max", true);
      r = r > x ? r : x;
    }
    return r;
  });
  M.setStr("pi", Math.PI);
  M.setStr("huge", Infinity);

  const rs: RandomState = new Int32Array(8);
  let seeded = false; // lazy initialisation with seed 0, as luaopen_math does
  define(M, "random", function (r1: LuaValue, r2: LuaValue) {
    const nargs = arguments.length;
    if (!seeded) {
      randomInit(rs, 0);
      seeded = true;
    }
    // The step happens before the argument checks, as in lib_math.c.
    const d = randomStep(rs);
    if (nargs === 0) return d;
    const lo = numArg(r1, 1, "random", true);
    if (nargs === 1) return Math.floor(d * lo) + 1; // an integer in [1, r1]
    const hi = numArg(r2, 2, "random", true);
    return Math.floor(d * (hi - lo + 1)) + lo; // an integer in [r1, r2]
  });
  define(M, "randomseed", function (seed: LuaValue) {
    randomInit(rs, numArg(seed, 1, "randomseed", arguments.length > 0));
    seeded = true;
    return EMPTY;
  });
  return M;
}
