// Number <-> string conversions with LuaJIT's rules: tostring is C's "%.14g" with
// "inf", "-inf", "nan" and a signed "-0"; string-to-number accepts what lj_strscan does
// (decimal, hex with optional fraction and binary exponent, surrounding whitespace).

/** LuaJIT's tostring(n) / print / `..` for numbers. */
export function numberToString(n: number): string {
  if (Number.isInteger(n) && n < 1e14 && n > -1e14) {
    return n === 0 && 1 / n < 0 ? "-0" : String(n);
  }
  return formatG(n, 14, false);
}

/** C's %.<precision>g; `alt` is the '#' flag (keep trailing zeros). */
export function formatG(n: number, precision: number, alt: boolean): string {
  if (n !== n) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  const p = precision === 0 ? 1 : precision;
  const exp = n.toExponential(p - 1); // d.ddddde±X, correctly rounded
  const ePos = exp.indexOf("e");
  const x = Number(exp.slice(ePos + 1));
  let out: string;
  if (x < -4 || x >= p) {
    let mant = exp.slice(0, ePos);
    if (!alt) mant = stripZeros(mant);
    const ax = Math.abs(x);
    out = mant + "e" + (x < 0 ? "-" : "+") + (ax < 10 ? "0" + ax : String(ax));
  } else {
    out = n.toFixed(p - 1 - x);
    if (!alt) out = stripZeros(out);
  }
  if (n === 0 && 1 / n < 0 && out[0] !== "-") out = "-" + out;
  return out;
}

function stripZeros(s: string): string {
  if (s.indexOf(".") < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const SPECIAL = /^([-+]?)(inf|infinity|nan)$/i;
const BINARY = /^([-+]?)0[bB]([01]+)$/;
const HEX = /^([-+]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([-+]?\d+))?$/;

/** Lua whitespace per isspace(): space, \t \n \v \f \r. */
function trimLua(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Converts a Lua string to a number as arithmetic coercion and tonumber(s) do; undefined if it is not one. */
export function stringToNumber(str: string): number | undefined {
  const s = trimLua(str);
  if (s.length === 0) return undefined;
  if (DECIMAL.test(s)) return Number(s);
  const special = SPECIAL.exec(s);
  if (special !== null) {
    // lj_strscan accepts inf, infinity and nan in any case, with a sign.
    const v = special[2].toLowerCase() === "nan" ? NaN : Infinity;
    return special[1] === "-" ? -v : v;
  }
  const bin = BINARY.exec(s);
  if (bin !== null) {
    const v = parseInt(bin[2], 2);
    return bin[1] === "-" ? -v : v;
  }
  const m = HEX.exec(s);
  if (m === null) return undefined;
  const [, sign, intPart, fracPart = "", expPart] = m;
  if (intPart.length === 0 && fracPart.length === 0) return undefined;
  let v = 0;
  for (const ch of intPart) v = v * 16 + parseInt(ch, 16);
  let scale = 1 / 16;
  for (const ch of fracPart) {
    v += parseInt(ch, 16) * scale;
    scale /= 16;
  }
  if (expPart !== undefined) v *= Math.pow(2, Number(expPart));
  return sign === "-" ? -v : v;
}

/**
 * tonumber(s, base) for an explicit base 2..36, as LuaJIT 2.1: base 10 is the ordinary
 * conversion; other bases take digits with an optional '-' (and "0x" for base 16).
 */
export function stringToNumberBase(str: string, base: number): number | undefined {
  if (base === 10) return stringToNumber(str);
  let s = trimLua(str).toLowerCase();
  let neg = false;
  if (s[0] === "-") {
    neg = true;
    s = s.slice(1);
  }
  if (base === 16 && s.startsWith("0x")) s = s.slice(2);
  if (s.length === 0) return undefined;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : 99;
    if (d >= base) return undefined;
    v = v * base + d;
  }
  return neg ? -v : v;
}

/** C's pow: 1^nan and (-1)^inf are 1, where Math.pow gives NaN. */
export function powC(x: number, y: number): number {
  if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  return Math.pow(x, y);
}
