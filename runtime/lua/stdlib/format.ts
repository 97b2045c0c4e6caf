// string.format as LuaJIT 2.1 implements it (lj_strfmt.c, lj_strfmt_num.c) rather than C's printf:
// integers go through int64 casts, floats round half away from zero on the exact binary value,
// %s/%q call __tostring once, %q escapes control bytes as \ddd, and %a is LuaJIT's own.
import type { LuaValue } from "../value.ts";
import { LuaTable } from "../table.ts";
import { throwLuaError } from "../errors.ts";
import { argError } from "../args.ts";
import { type, metamethod, callable } from "../ops.ts";
import { first } from "../multi.ts";
import { numberToString, stringToNumber } from "../number.ts";
import { rawToString, addressOf } from "../tostring.ts";

// Format flags (STRFMT_F_*).
const F_LEFT = 1;
const F_PLUS = 2;
const F_ZERO = 4;
const F_SPACE = 8;
const F_ALT = 16;

const TWO63 = 9223372036854775808;
const TWO64 = 18446744073709551616;

/** lj_num2int: C's (int32_t) cast on x86-64, which yields INT32_MIN for NaN and out-of-range values. */
export function lj_num2int(n: number): number {
  const t = Math.trunc(n);
  return t >= -2147483648 && t <= 2147483647 ? t : -2147483648;
}

/** C's (int64_t) cast on x86-64; the result is always a double-representable integer. */
function num2int64(n: number): number {
  const t = Math.trunc(n);
  return t >= -TWO63 && t < TWO63 ? t : -TWO63;
}

/** lj_lib_checknum for an argument known to be present: numbers and numeric strings. */
function checknum(v: LuaValue, narg: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const x = stringToNumber(v);
    if (x !== undefined) return x;
  }
  return argError(narg, "format", "number expected, got " + type(v));
}

function pad(n: number, ch: string): string {
  return n > 0 ? ch.repeat(n) : "";
}

/** Lays out sign/prefix and body within the width: spaces, or zeros after the prefix with '0'. */
function justify(flags: number, width: number, prefix: string, body: string): string {
  const fill = width - prefix.length - body.length;
  if (fill <= 0) return prefix + body;
  if (flags & F_LEFT) return prefix + body + pad(fill, " ");
  if (flags & F_ZERO) return prefix + pad(fill, "0") + body;
  return pad(fill, " ") + prefix + body;
}

// ---------------------------------------------------------------- integers (lj_strfmt_putfxint)

function digitsOf(mag: number | bigint, base: number): string {
  if (typeof mag === "number" && mag <= Number.MAX_SAFE_INTEGER) return mag.toString(base);
  return BigInt(mag).toString(base);
}

/** %d %i %u %o %x %X of an int64 value `k` (for unsigned conversions reinterpreted as uint64). */
function putfxint(flags: number, width: number, prec: number, conv: number, k: number): string {
  let prefix = "";
  let mag: number | bigint = k;
  if (conv === 100 /* d */ || conv === 105 /* i */) {
    if (k < 0) {
      prefix = "-";
      mag = -k;
    } else if (flags & F_PLUS) {
      prefix = "+";
    } else if (flags & F_SPACE) {
      prefix = " ";
    }
  } else if (k < 0) {
    mag = BigInt(k) + (1n << 64n);
  }
  if (prec >= 0) flags &= ~F_ZERO;
  let ds: string;
  if (mag === 0) {
    ds = prec !== 0 || (conv === 111 /* o */ && flags & F_ALT) ? "0" : "";
  } else if (conv === 120 /* x */ || conv === 88 /* X */) {
    ds = digitsOf(mag, 16);
    if (conv === 88) ds = ds.toUpperCase();
    if (flags & F_ALT) prefix = conv === 88 ? "0X" : "0x";
  } else if (conv === 111) {
    ds = digitsOf(mag, 8);
    if (flags & F_ALT) ds = "0" + ds;
  } else {
    ds = digitsOf(mag, 10);
  }
  if (prec > ds.length) ds = pad(prec - ds.length, "0") + ds;
  return justify(flags, width, prefix, ds);
}

// ---------------------------------------------------------------- floats (lj_strfmt_wfnum)

/** The significant digits (no dot) and decimal exponent of abs rounded to prec+1 digits. */
function expParts(abs: number, prec: number): [string, number] {
  const s = abs.toExponential(prec); // rounds half up on the exact value, as lj_strfmt_num does
  const ei = s.indexOf("e");
  const digits = prec === 0 ? s.slice(0, ei) : s[0] + s.slice(2, ei);
  return [digits, Number(s.slice(ei + 1))];
}

function expSuffix(x: number, upper: boolean): string {
  const ax = Math.abs(x);
  return (upper ? "E" : "e") + (x < 0 ? "-" : "+") + (ax < 10 ? "0" : "") + ax;
}

function stripZeros(s: string): string {
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

function formatE(abs: number, prec: number, alt: boolean, upper: boolean): string {
  const [d, x] = expParts(abs, prec);
  return d[0] + (prec > 0 || alt ? "." + d.slice(1) : "") + expSuffix(x, upper);
}

function formatF(abs: number, prec: number, alt: boolean): string {
  // toFixed switches to exponent notation from 1e21 on; such doubles are integers anyway.
  const s = abs < 1e21 ? abs.toFixed(prec) : BigInt(abs).toString() + (prec > 0 ? "." + pad(prec, "0") : "");
  return prec === 0 && alt ? s + "." : s;
}

/** %g: precision P significant digits, %f style when -4 <= exponent < P, trailing zeros cut unless '#'. */
function formatG(abs: number, prec: number, alt: boolean, upper: boolean): string {
  const P = prec < 0 ? 6 : prec === 0 ? 1 : prec;
  const [d, x] = expParts(abs, P - 1);
  let s: string;
  let suffix = "";
  if (P > x && x >= -4) {
    s = x >= 0 ? d.slice(0, x + 1) + "." + d.slice(x + 1) : "0." + pad(-x - 1, "0") + d;
  } else {
    s = d[0] + "." + d.slice(1);
    suffix = expSuffix(x, upper);
  }
  return (alt ? s : stripZeros(s)) + suffix;
}

/** Index of the highest / lowest set bit of a non-zero uint32 (lj_fls / lj_ffs). */
function fls(x: number): number {
  return 31 - Math.clz32(x);
}
function ffs(x: number): number {
  return 31 - Math.clz32(x & -x);
}

const f64 = new DataView(new ArrayBuffer(8));

/** %a without the sign: LuaJIT normalises denormals and rounds the mantissa half up. */
function formatA(n: number, prec: number, flags: number, upper: boolean): [string, string] {
  f64.setFloat64(0, n);
  let hi = f64.getUint32(0);
  const lo = f64.getUint32(4);
  let e = (hi >>> 20) & 0x7ff;
  hi &= 0xfffff;
  let t = (BigInt(hi) << 32n) | BigInt(lo);
  if (e !== 0) {
    t |= 1n << 52n;
    e -= 1023;
  } else if (t !== 0n) {
    const shift = hi !== 0 ? 20 - fls(hi) : 52 - fls(lo);
    e = -1022 - shift;
    t <<= BigInt(shift);
  }
  if (prec < 0) {
    // Default precision: the fewest hex digits that are exact.
    const tlo = Number(t & 0xffffffffn);
    const thi = Number(t >> 32n);
    prec = tlo !== 0 ? 13 - (ffs(tlo) >> 2) : 5 - (ffs(thi | 0x100000) >> 2);
  } else if (prec < 13) {
    t += 1n << BigInt(51 - prec * 4);
  }
  let body = String(Number(t >> 52n)); // usually '1', '0' for zero, '2' after rounding up
  if (prec > 0 || flags & F_ALT) {
    const nd = prec < 13 ? prec : 13;
    const bits = prec < 13 ? t >> BigInt(52 - prec * 4) : t;
    const frac = nd === 0 ? "" : (bits & ((1n << BigInt(nd * 4)) - 1n)).toString(16).padStart(nd, "0");
    body += "." + frac + pad(prec - nd, "0");
  }
  body += "p" + (e < 0 ? "-" : "+") + Math.abs(e);
  return upper ? ["0X", body.toUpperCase()] : ["0x", body];
}

function putfnum(flags: number, width: number, prec: number, conv: number, n: number): string {
  const upper = conv < 97;
  if (!Number.isFinite(n)) {
    // Non-finite values look the same for every conversion; '0' pads with spaces.
    let prefix = "";
    let body: string;
    if (n !== n) {
      body = "nan";
      if (flags & F_SPACE) prefix = " ";
    } else {
      body = "inf";
      if (n < 0) prefix = "-";
      else if (flags & F_PLUS) prefix = "+";
      else if (flags & F_SPACE) prefix = " ";
    }
    return justify(flags & ~F_ZERO, width, prefix, upper ? body.toUpperCase() : body);
  }
  const negative = n < 0 || (n === 0 && 1 / n < 0);
  const prefix = negative ? "-" : flags & F_PLUS ? "+" : flags & F_SPACE ? " " : "";
  const abs = Math.abs(n);
  const alt = (flags & F_ALT) !== 0;
  switch (conv | 0x20) {
    case 97: {
      // %a: zero padding goes between "0x" and the digits.
      const [ox, body] = formatA(n, prec, flags, upper);
      return justify(flags, width, prefix + ox, body);
    }
    case 101:
      return justify(flags, width, prefix, formatE(abs, prec < 0 ? 6 : prec, alt, upper));
    case 102:
      return justify(flags, width, prefix, formatF(abs, prec < 0 ? 6 : prec, alt));
    default:
      return justify(flags, width, prefix, formatG(abs, prec, alt, upper));
  }
}

// ---------------------------------------------------------------- strings, chars, pointers

/** %q: quotes, escapes '"' '\\' and newline with a backslash, control bytes as \ddd (shortest unless a digit follows). */
function putquoted(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string;
    if (c === 34 || c === 92 || c === 10) {
      esc = "\\" + s[i];
    } else if (c < 32 || c === 127) {
      const next = s.charCodeAt(i + 1);
      const digitFollows = next >= 48 && next <= 57;
      esc = "\\" + (digitFollows ? String(c).padStart(3, "0") : String(c));
    } else {
      continue;
    }
    out += s.slice(from, i) + esc;
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

/** %s/%q argument text: __tostring is called once, and its result converted without metamethods. */
function tostringOnce(v: LuaValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  const mm = metamethod(v, "__tostring");
  if (mm !== undefined) {
    v = first(callable(mm)(v));
    if (typeof v === "string") return v;
  }
  return rawToString(v);
}

/** %p: the object's address; strings are interned in LuaJIT, so equal strings share one. */
function pointerOf(v: LuaValue): string {
  if (v instanceof LuaTable || typeof v === "function" || (typeof v === "object" && v !== null)) {
    return addressOf(v as object);
  }
  if (typeof v === "string") {
    let h = 0x811c9dc5;
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    return "0x" + (0x50000000 + ((h >>> 0) & 0x0fffffff)).toString(16);
  }
  return "NULL";
}

// ---------------------------------------------------------------- the format loop (lj_strfmt_putarg)

function isConversion(c: number): boolean {
  switch (c) {
    case 97: // a
    case 99: // c
    case 100: // d
    case 101: // e
    case 102: // f
    case 103: // g
    case 105: // i
    case 111: // o
    case 112: // p
    case 113: // q
    case 115: // s
    case 117: // u
    case 120: // x
    case 65: // A
    case 69: // E
    case 70: // F
    case 71: // G
    case 88: // X
      return true;
    default:
      return false;
  }
}

/** string.format(fmt, ...): `fmt` is args[0] already converted to a string; args holds all arguments. */
export function lj_strfmt_putarg(fmt: string, args: LuaValue[]): string {
  const end = fmt.length;
  const at = (i: number) => (i < end ? fmt.charCodeAt(i) : 0);
  let out = "";
  let lit = 0;
  let narg = 1;
  let i = fmt.indexOf("%");
  while (i >= 0) {
    out += fmt.slice(lit, i);
    if (at(i + 1) === 37) {
      out += "%";
      lit = i + 2;
      i = fmt.indexOf("%", lit);
      continue;
    }
    let p = i + 1;
    let flags = 0;
    for (; ; p++) {
      const c = at(p);
      if (c === 45) flags |= F_LEFT;
      else if (c === 43) flags |= F_PLUS;
      else if (c === 48) flags |= F_ZERO;
      else if (c === 32) flags |= F_SPACE;
      else if (c === 35) flags |= F_ALT;
      else break;
    }
    let width = 0;
    if (at(p) >= 48 && at(p) <= 57) {
      width = at(p++) - 48;
      if (at(p) >= 48 && at(p) <= 57) width = width * 10 + at(p++) - 48;
    }
    let prec = -1;
    if (at(p) === 46) {
      p++;
      prec = 0;
      if (at(p) >= 48 && at(p) <= 57) {
        prec = at(p++) - 48;
        if (at(p) >= 48 && at(p) <= 57) prec = prec * 10 + at(p++) - 48;
      }
    }
    const conv = at(p);
    if (!isConversion(conv)) {
      // The error quotes the spec up to and including the offending char, if printable.
      if (conv >= 32) p++;
      throwLuaError("invalid option '" + fmt.slice(i, p) + "' to 'format'");
    }
    narg++;
    if (narg > args.length) argError(narg, "format", "value expected");
    const v = args[narg - 1];
    switch (conv) {
      case 100: // d
      case 105: // i
        out += putfxint(flags, width, prec, conv, num2int64(checknum(v, narg)));
        break;
      case 117: // u
      case 111: // o
      case 120: // x
      case 88: {
        // X
        const n = checknum(v, narg);
        out += putfxint(flags, width, prec, conv, n >= TWO63 ? num2int64(n - TWO64) : num2int64(n));
        break;
      }
      case 115: {
        // s
        const s = tostringOnce(v);
        out += justify(flags & F_LEFT, width, "", prec >= 0 && s.length > prec ? s.slice(0, prec) : s);
        break;
      }
      case 113: // q
        out += putquoted(tostringOnce(v));
        break;
      case 99: {
        // c
        let k: number;
        if (typeof v === "number") k = lj_num2int(v);
        else k = lj_num2int(checknum(v, narg));
        out += justify(flags & F_LEFT, width, "", String.fromCharCode(k & 255));
        break;
      }
      case 112: // p
        out += pointerOf(v);
        break;
      default:
        out += putfnum(flags, width, prec, conv, checknum(v, narg));
        break;
    }
    lit = p + 1;
    i = fmt.indexOf("%", lit);
  }
  return lit === 0 ? fmt : out + fmt.slice(lit);
}
