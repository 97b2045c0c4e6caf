// JSON <-> Lua values for Rover's request and response bodies. Encoding produces UTF-8 as a
// byte string (invalid UTF-8 in Lua strings becomes U+FFFD, so the output is always valid);
// decoding is a strict RFC 8259 parser that builds LuaTables directly, never JS objects.
import { LuaTable, luaKey } from "./table.ts";
import type { LuaValue } from "./value.ts";
import { Coroutine } from "./coroutine-type.ts";

/** A value that has no JSON form (functions, cycles, odd keys): the caller answers 500. */
export class JsonEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonEncodeError";
  }
}

/** Malformed JSON input, with the byte position of the problem: the caller answers 400. */
export class JsonDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonDecodeError";
  }
}

// ---------------------------------------------------------------- encoding

const MAX_ENCODE_DEPTH = 64;
const HIDDEN_PREFIX = "__rover_";
/** Strings made only of printable ASCII other than '"' and '\\' are copied as they are. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const REPLACEMENT = "\xef\xbf\xbd"; // U+FFFD in UTF-8
const HEX = "0123456789abcdef";

export function jsonEncode(v: LuaValue): string {
  return encodeValue(v, 0);
}

function encodeValue(v: LuaValue, depth: number): string {
  switch (typeof v) {
    case "string":
      return encodeString(v);
    case "number":
      return encodeNumber(v);
    case "boolean":
      return v ? "true" : "false";
    case "undefined":
      return "null";
    case "object":
      if (v instanceof LuaTable) return encodeTable(v, depth + 1);
      throw new JsonEncodeError(
        "cannot serialize a " + (v instanceof Coroutine ? "thread" : "userdata") + " value",
      );
    default:
      throw new JsonEncodeError("cannot serialize a function value");
  }
}

/** Integers print without ".0" (JS formatting: 5, 0.1, 1e+21); -0 is 0; NaN and infinities are null. */
function encodeNumber(n: number): string {
  if ((n | 0) === n) return String(n); // small integers: V8 caches their text; -0 is "0"
  if (n !== n || n === Infinity || n === -Infinity) return "null";
  return fractionText(n);
}

// Shortest round-trip text of non-integers costs ~80 ns; responses keep sending the same
// stored prices and ratings, so a direct-mapped cache (indexed by the double's bits) pays.
const NUMBER_CACHE_SIZE = 4096;
const cachedNumbers = new Float64Array(NUMBER_CACHE_SIZE);
const cachedTexts: string[] = new Array<string>(NUMBER_CACHE_SIZE).fill("");
const bits = new Float64Array(1);
const bitWords = new Uint32Array(bits.buffer);

function fractionText(n: number): string {
  bits[0] = n;
  const slot = (bitWords[0] ^ bitWords[1] ^ (bitWords[1] >>> 12)) & (NUMBER_CACHE_SIZE - 1);
  // The cache starts as zeros with "" texts, and 0 never gets here (it is an integer).
  if (cachedNumbers[slot] === n) return cachedTexts[slot];
  const text = String(n);
  cachedNumbers[slot] = n;
  cachedTexts[slot] = text;
  return text;
}

function isHiddenKey(k: unknown): boolean {
  return typeof k === "string" && k.startsWith(HIDDEN_PREFIX);
}

/** True when the table has a visible key outside its array part. */
function hasVisibleKeys(t: LuaTable): boolean {
  const strs = t.strs;
  for (const k in strs) if (strs[k] !== undefined && !isHiddenKey(k)) return true;
  const hash = t.hash;
  return hash !== null && hash.size > 0;
}

function encodeTable(t: LuaTable, depth: number): string {
  if (depth > MAX_ENCODE_DEPTH) throw new JsonEncodeError("nesting deeper than 64 levels (cycle?)");
  if (t.serializer !== null) {
    const out = t.serializer(t, depth);
    if (out !== undefined) return out;
  }
  const arr = t.arr;
  if (hasVisibleKeys(t)) return encodeObject(t, depth);
  if (arr.length === 0) return t.jsonArray ? "[]" : "{}";
  // An array exactly when the keys are 1..n (no holes); a table decoded from a JSON array
  // keeps its shape, holes included (they came from nulls).
  let out = "[";
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (x === undefined && !t.jsonArray) return encodeObject(t, depth);
    if (i > 0) out += ",";
    out += x === undefined ? "null" : encodeValue(x, depth);
  }
  return out + "]";
}

// ---------------------------------------------------------------- for generated serializers
// A serializer generated at build time (compiler/aot/json-codegen.ts) reads the keys it
// expects in order and calls these for the values; the keys it did not expect go through
// jsonRest, so its output is byte for byte what encodeObject would write.

/** Any value at the nesting of the table that holds it. */
export function jsonValue(v: LuaValue, depth: number): string {
  return encodeValue(v, depth);
}

export const jsonString: (s: string) => string = encodeString;
export const jsonNumber: (n: number) => string = encodeNumber;
export const jsonKeys: (o: object) => string[] = Object.keys;

/**
 * Appends the string keys keys[from..] of `t` (a table with no array or hash part) to `out`,
 * an object's text so far ("{" when empty), and closes it.
 */
export function jsonRest(t: LuaTable, keys: string[], from: number, out: string, depth: number): string {
  const strs = t.strs;
  for (let i = from; i < keys.length; i++) {
    const k = keys[i];
    const x = strs[k];
    if (x === undefined || isHiddenKey(k)) continue;
    out += (out.length === 1 ? "" : ",") + encodeString(luaKey(k)) + ":" + encodeValue(x, depth);
  }
  return out + "}";
}

/** Encoded forms of recently seen object keys: the same few keys recur across the rows of a response. */
const keyCache = new Map<string, string>();

/** Array-part keys first ("1", "2", ... skipping holes), then string keys in insertion order, then numeric keys. */
function encodeObject(t: LuaTable, depth: number): string {
  let out = "{";
  let first = true;
  const arr = t.arr;
  const strs = t.strs;
  // t[1] and t["1"] are different Lua keys but one JSON key: the string key wins, so the
  // output never repeats a key.
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (x === undefined || t.getStr(String(i + 1)) !== undefined) continue;
    out += (first ? '"' : ',"') + (i + 1) + '":' + encodeValue(x, depth);
    first = false;
  }
  for (const k in strs) {
    const x = strs[k];
    if (x === undefined) continue;
    let key = keyCache.get(k);
    if (key === undefined) {
      if (k.startsWith(HIDDEN_PREFIX)) continue;
      key = encodeString(luaKey(k));
      if (keyCache.size < 4096 && k.length <= 64) keyCache.set(k, key);
    }
    out += (first ? "" : ",") + key + ":" + encodeValue(x, depth);
    first = false;
  }
  if (t.hash !== null) {
    for (const [k, x] of t.hash) {
      if (x === undefined) continue;
      let key: string;
      if (typeof k === "number") {
        const text = encodeNumber(k);
        if (t.getStr(text) !== undefined) continue;
        key = '"' + text + '"';
      } else {
        throw new JsonEncodeError(
          "table keys must be strings or numbers to serialize, got a " + luaType(k) + " key",
        );
      }
      out += (first ? "" : ",") + key + ":" + encodeValue(x, depth);
      first = false;
    }
  }
  return out + "}";
}

function luaType(v: unknown): string {
  if (typeof v === "function") return "function";
  if (v instanceof LuaTable) return "table";
  if (v instanceof Coroutine) return "thread";
  return typeof v === "object" ? "userdata" : typeof v;
}

/** A Lua byte string as a JSON string: escapes, raw valid UTF-8, U+FFFD for each ill-formed subsequence. */
function encodeString(s: string): string {
  if (s.length <= 32 ? isPlainShort(s) : PLAIN.test(s)) return '"' + s + '"';
  let out = '"';
  let start = 0; // s[start..i) is pending verbatim output
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c) {
      i++;
      continue;
    }
    if (c < 0x80) {
      out += s.slice(start, i) + escapeAscii(c);
      start = ++i;
      continue;
    }
    const len = validUtf8Length(s, i);
    if (len > 0) {
      i += len;
      continue;
    }
    // Ill-formed: replace the maximal subpart (the lead plus the continuation bytes that fit).
    out += s.slice(start, i) + REPLACEMENT;
    i += maximalSubpart(s, i);
    start = i;
  }
  return out + s.slice(start) + '"';
}

/** PLAIN.test for short strings: a loop beats the regex call there. */
function isPlainShort(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

function escapeAscii(c: number): string {
  switch (c) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return "\\\\";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    default:
      return "\\u00" + HEX[c >> 4] + HEX[c & 15];
  }
}

/** The bounds of the second byte after lead byte c (Unicode table 3-7), or undefined for an invalid lead. */
function secondByteRange(c: number): [number, number, number] | undefined {
  if (c >= 0xc2 && c <= 0xdf) return [0x80, 0xbf, 2];
  if (c === 0xe0) return [0xa0, 0xbf, 3];
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return [0x80, 0xbf, 3];
  if (c === 0xed) return [0x80, 0x9f, 3];
  if (c === 0xf0) return [0x90, 0xbf, 4];
  if (c >= 0xf1 && c <= 0xf3) return [0x80, 0xbf, 4];
  if (c === 0xf4) return [0x80, 0x8f, 4];
  return undefined;
}

/** Length of the well-formed UTF-8 sequence at s[i] (a byte >= 0x80), or 0. */
function validUtf8Length(s: string, i: number): number {
  const r = secondByteRange(s.charCodeAt(i));
  if (r === undefined || i + r[2] > s.length) return 0;
  const b1 = s.charCodeAt(i + 1);
  if (b1 < r[0] || b1 > r[1]) return 0;
  for (let k = 2; k < r[2]; k++) {
    const b = s.charCodeAt(i + k);
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return r[2];
}

/** How many bytes one U+FFFD replaces at an ill-formed sequence starting at s[i]. */
function maximalSubpart(s: string, i: number): number {
  const r = secondByteRange(s.charCodeAt(i));
  if (r === undefined) return 1;
  let k = 1;
  if (i + k < s.length) {
    const b1 = s.charCodeAt(i + k);
    if (b1 < r[0] || b1 > r[1]) return 1;
    k++;
    while (k < r[2] && i + k < s.length) {
      const b = s.charCodeAt(i + k);
      if (b < 0x80 || b > 0xbf) break;
      k++;
    }
  }
  return k;
}

// ---------------------------------------------------------------- decoding

const MAX_DECODE_DEPTH = 512;

/** Parses JSON bytes (a Buffer, or a byte string) into Lua values. Throws JsonDecodeError. */
/**
 * Tables decoded from a JSON object that has no members: empty, like a decoded `[]`, but an
 * object (the guard's array validator refuses them; a JSON array table is marked `jsonArray`).
 */
const emptyObjects = new WeakSet<LuaTable>();

export function isEmptyJsonObject(t: LuaTable): boolean {
  return emptyObjects.has(t);
}

export function jsonDecode(bytes: Buffer | string): LuaValue {
  // Parsing a one-byte JS string lets every string value be a cheap slice of it.
  const p = new Parser(typeof bytes === "string" ? bytes : bytes.toString("latin1"));
  p.skipWhitespace();
  const v = p.parseValue(0);
  p.skipWhitespace();
  if (p.pos < p.src.length) p.unexpected();
  return v;
}

class Parser {
  readonly src: string;
  pos: number;
  constructor(src: string) {
    this.src = src;
    this.pos = 0;
  }

  skipWhitespace(): void {
    const s = this.src;
    let i = this.pos;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.pos = i;
  }

  /** Reports the byte at pos (or the end of input) as unexpected. */
  unexpected(): never {
    const s = this.src;
    if (this.pos >= s.length)
      throw new JsonDecodeError("Unexpected end of JSON input at position " + this.pos);
    const c = s.charCodeAt(this.pos);
    const shown =
      c >= 0x20 && c < 0x7f
        ? "character '" + String.fromCharCode(c) + "'"
        : "byte 0x" + c.toString(16).padStart(2, "0");
    throw new JsonDecodeError("Unexpected " + shown + " at position " + this.pos);
  }

  parseValue(depth: number): LuaValue {
    const s = this.src;
    if (this.pos >= s.length) this.unexpected();
    const c = s.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.parseObject(depth + 1);
      case 0x5b: // [
        return this.parseArray(depth + 1);
      case 0x22: // "
        return this.parseString();
      case 0x74: // t
        return this.literal("true", true);
      case 0x66: // f
        return this.literal("false", false);
      case 0x6e: // n
        return this.literal("null", undefined);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        return this.unexpected();
    }
  }

  private literal(word: string, value: LuaValue): LuaValue {
    const s = this.src;
    for (let k = 0; k < word.length; k++) {
      if (s.charCodeAt(this.pos) !== word.charCodeAt(k)) this.unexpected();
      this.pos++;
    }
    return value;
  }

  private checkDepth(depth: number): void {
    if (depth > MAX_DECODE_DEPTH) {
      throw new JsonDecodeError(
        "Nesting deeper than " + MAX_DECODE_DEPTH + " levels at position " + this.pos,
      );
    }
  }

  private parseObject(depth: number): LuaTable {
    this.checkDepth(depth);
    const s = this.src;
    const t = new LuaTable();
    this.pos++; // {
    this.skipWhitespace();
    if (s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      emptyObjects.add(t);
      return t;
    }
    for (;;) {
      if (s.charCodeAt(this.pos) !== 0x22) this.unexpected();
      const key = this.parseString();
      this.skipWhitespace();
      if (s.charCodeAt(this.pos) !== 0x3a) this.unexpected(); // :
      this.pos++;
      this.skipWhitespace();
      // Last duplicate wins; a null member is absent (and removes an earlier duplicate).
      t.setStr(key, this.parseValue(depth));
      this.skipWhitespace();
      const c = s.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x7d) {
        this.pos++;
        if (t.hasOnlyArrayPart()) emptyObjects.add(t); // {"a":null}
        return t;
      } else {
        this.unexpected();
      }
    }
  }

  private parseArray(depth: number): LuaTable {
    this.checkDepth(depth);
    const s = this.src;
    const items: LuaValue[] = [];
    this.pos++; // [
    this.skipWhitespace();
    if (s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
    } else {
      for (;;) {
        items.push(this.parseValue(depth)); // null leaves a hole: the index is kept
        this.skipWhitespace();
        const c = s.charCodeAt(this.pos);
        if (c === 0x2c) {
          this.pos++;
          this.skipWhitespace();
        } else if (c === 0x5d) {
          this.pos++;
          break;
        } else {
          this.unexpected();
        }
      }
    }
    const t = new LuaTable(items);
    t.jsonArray = true;
    return t;
  }

  private isDigitAt(i: number): boolean {
    const c = this.src.charCodeAt(i);
    return c >= 0x30 && c <= 0x39;
  }

  private parseNumber(): number {
    const s = this.src;
    const start = this.pos;
    let i = start;
    if (s.charCodeAt(i) === 0x2d) i++;
    const lead = s.charCodeAt(i);
    if (lead === 0x30) {
      i++;
    } else if (lead >= 0x31 && lead <= 0x39) {
      while (this.isDigitAt(i)) i++;
    } else {
      this.pos = i;
      this.unexpected();
    }
    let simple = true;
    if (s.charCodeAt(i) === 0x2e) {
      simple = false;
      i++;
      if (!this.isDigitAt(i)) {
        this.pos = i;
        this.unexpected();
      }
      while (this.isDigitAt(i)) i++;
    }
    const e = s.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      simple = false;
      i++;
      const sign = s.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!this.isDigitAt(i)) {
        this.pos = i;
        this.unexpected();
      }
      while (this.isDigitAt(i)) i++;
    }
    this.pos = i;
    // Short integers are exact without going through the string-to-double conversion.
    if (simple && i - start <= 15) {
      let k = start;
      const neg = s.charCodeAt(k) === 0x2d;
      if (neg) k++;
      let v = 0;
      for (; k < i; k++) v = v * 10 + (s.charCodeAt(k) - 0x30);
      return neg ? -v : v;
    }
    return Number(s.slice(start, i));
  }

  /** A JSON string as a Lua byte string (UTF-8); pos is at the opening quote. */
  parseString(): string {
    const s = this.src;
    let i = ++this.pos;
    let start = i;
    let out = "";
    for (;;) {
      if (i >= s.length) {
        this.pos = i;
        this.unexpected();
      }
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return start === this.pos - 1 && out === "" ? "" : out + s.slice(start, i);
      }
      if (c === 0x5c) {
        out += s.slice(start, i);
        i = this.parseEscape(i);
        start = i;
        out += this.escaped;
        continue;
      }
      if (c < 0x20) {
        throw new JsonDecodeError("Bad control character in string literal at position " + i);
      }
      if (c < 0x80) {
        i++;
        continue;
      }
      // Raw UTF-8 is kept byte for byte; an ill-formed sequence becomes U+FFFD, as the encoder does.
      const len = validUtf8Length(s, i);
      if (len > 0) {
        i += len;
      } else {
        out += s.slice(start, i) + REPLACEMENT;
        i += maximalSubpart(s, i);
        start = i;
      }
    }
  }

  /** The bytes an escape stands for, set by parseEscape. */
  private escaped = "";

  /** Parses the escape at src[i] == '\\'; sets `escaped` and returns the index after it. */
  private parseEscape(i: number): number {
    const s = this.src;
    switch (s.charCodeAt(i + 1)) {
      case 0x22:
        this.escaped = '"';
        return i + 2;
      case 0x5c:
        this.escaped = "\\";
        return i + 2;
      case 0x2f:
        this.escaped = "/";
        return i + 2;
      case 0x62:
        this.escaped = "\b";
        return i + 2;
      case 0x66:
        this.escaped = "\f";
        return i + 2;
      case 0x6e:
        this.escaped = "\n";
        return i + 2;
      case 0x72:
        this.escaped = "\r";
        return i + 2;
      case 0x74:
        this.escaped = "\t";
        return i + 2;
      case 0x75: {
        let cp = this.hex4(i + 2);
        let next = i + 6;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          // A high surrogate pairs with an immediately following \uDC00-\uDFFF escape.
          if (s.charCodeAt(next) === 0x5c && s.charCodeAt(next + 1) === 0x75) {
            const lo = this.hex4(next + 2);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
              next += 6;
            } else {
              cp = 0xfffd;
            }
          } else {
            cp = 0xfffd;
          }
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          cp = 0xfffd; // a lone low surrogate has no UTF-8 form
        }
        this.escaped = utf8Bytes(cp);
        return next;
      }
      default:
        this.pos = i + 1;
        return this.unexpected();
    }
  }

  private hex4(at: number): number {
    const s = this.src;
    let v = 0;
    for (let k = at; k < at + 4; k++) {
      const c = s.charCodeAt(k);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else {
        this.pos = k;
        return this.unexpected();
      }
      v = v * 16 + d;
    }
    return v;
  }
}

/** A code point as UTF-8 bytes in a byte string. */
function utf8Bytes(cp: number): string {
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x800) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  if (cp < 0x10000) return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  return String.fromCharCode(
    0xf0 | (cp >> 18),
    0x80 | ((cp >> 12) & 63),
    0x80 | ((cp >> 6) & 63),
    0x80 | (cp & 63),
  );
}
