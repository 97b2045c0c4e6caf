// The string library of LuaJIT 2.1 (lib_string.c): byte, char, dump, find, format, gmatch, gsub,
// len, lower, match, rep, reverse, sub, upper. Strings are byte strings (char codes 0..255); integer
// arguments are converted like lj_lib_checkint (truncation, INT32_MIN when out of range).
import type { LuaValue } from "../value.ts";
import { LuaTable } from "../table.ts";
import { Multi, EMPTY, fromArray } from "../multi.ts";
import { LuaError, throwLuaError } from "../errors.ts";
import { argError } from "../args.ts";
import { type, index, truthy } from "../ops.ts";
import { numberToString, stringToNumber } from "../number.ts";
import {
  MatchState,
  match,
  push_onecapture,
  push_captures,
  lj_str_haspattern,
  acquireState,
  releaseState,
} from "./lpattern.ts";
import { lj_strfmt_putarg, lj_num2int } from "./format.ts";

/** LJ_MAX_STR, and the longest string V8 can build (below it we report the same error). */
const LJ_MAX_STR = 0x7fffff00;
const MAX_JS_STRING = 536870888;
/** LUAI_MAXCSTACK: most values string.byte may return. */
const LUAI_MAXCSTACK = 8000;

// ---------------------------------------------------------------- argument checks (lj_lib_*)

function typeName(v: LuaValue, present: boolean): string {
  return present ? type(v) : "no value";
}

/** lj_lib_checkstr: a string, or a number converted with %.14g. */
function checkstr(v: LuaValue, narg: number, fname: string, present: boolean): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  return argError(narg, fname, "string expected, got " + typeName(v, present));
}

function checknum(v: LuaValue, narg: number, fname: string, present: boolean): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const x = stringToNumber(v);
    if (x !== undefined) return x;
  }
  return argError(narg, fname, "number expected, got " + typeName(v, present));
}

/** lj_lib_checkint: truncates, and gives INT32_MIN for values outside int32 (the x86-64 cast). */
function checkint(v: LuaValue, narg: number, fname: string, present: boolean): number {
  if (typeof v === "number" && (v | 0) === v) return v;
  return lj_num2int(checknum(v, narg, fname, present));
}

function optint(v: LuaValue, narg: number, fname: string, def: number): number {
  return v === undefined ? def : checkint(v, narg, fname, true);
}

/** luaL_optint: lua_tointeger casts to int64 first, then C's (int) keeps the low 32 bits. */
function luaL_optint(v: LuaValue, narg: number, fname: string, def: number): number {
  if (v === undefined) return def;
  const n = checknum(v, narg, fname, true);
  const t = Math.trunc(n);
  if (!(t >= -9223372036854775808 && t < 9223372036854775808)) return 0; // INT64_MIN's low word
  return t >= -2147483648 && t <= 2147483647 ? t : Number(BigInt.asIntN(32, BigInt(t)));
}

function tooLarge(): never {
  // lj_err_mem raises the preallocated message, without a position.
  throw new LuaError("not enough memory");
}

// ---------------------------------------------------------------- simple functions

function string_len(s: LuaValue): number {
  // In LuaJIT string.len is Lua code, so a missing argument reads as nil.
  return checkstr(s, 1, "len", true).length;
}

function string_byte(s: LuaValue, i: LuaValue, j: LuaValue): any {
  const str = typeof s === "string" ? s : checkstr(s, 1, "byte", arguments.length >= 1);
  const len = str.length;
  let start = optint(i, 2, "byte", 1);
  let stop = optint(j, 3, "byte", start);
  if (stop < 0) stop += len + 1;
  if (start < 0) start += len + 1;
  if (start <= 0) start = 1;
  if (stop > len) stop = len;
  if (start > stop) return EMPTY; // empty interval: no results
  if (start === stop) return str.charCodeAt(start - 1);
  const n = stop - start + 1;
  if (n > LUAI_MAXCSTACK) throwLuaError("string slice too long");
  const out: number[] = new Array(n);
  for (let k = 0; k < n; k++) out[k] = str.charCodeAt(start - 1 + k);
  return new Multi(out);
}

function string_char(...args: LuaValue[]): string {
  let out = "";
  for (let i = 0; i < args.length; i++) {
    const k = checkint(args[i], i + 1, "char", true);
    if (k < 0 || k > 255) argError(i + 1, "char", "invalid value");
    out += String.fromCharCode(k);
  }
  return out;
}

function string_sub(s: LuaValue, i: LuaValue, j: LuaValue): string {
  const str = typeof s === "string" ? s : checkstr(s, 1, "sub", arguments.length >= 1);
  const len = str.length;
  let start = checkint(i, 2, "sub", arguments.length >= 2);
  let end = optint(j, 3, "sub", -1);
  if (end < 0) end += len + 1;
  else if (end > len) end = len;
  if (start < 0) start += len + 1;
  if (start <= 0) start = 1;
  if (start > end) return "";
  return start === 1 && end === len ? str : str.slice(start - 1, end);
}

function string_rep(s: LuaValue, n: LuaValue, sep: LuaValue): string {
  const str = checkstr(s, 1, "rep", arguments.length >= 1);
  let rep = checkint(n, 2, "rep", arguments.length >= 2);
  const sepStr = sep === undefined ? undefined : checkstr(sep, 3, "rep", true);
  let head = "";
  let unit = str;
  if (sepStr !== undefined && rep > 1) {
    // LuaJIT emits s, then (sep .. s) rep-1 times.
    head = str;
    unit = sepStr + str;
    rep--;
  }
  if (rep <= 0 || unit.length === 0) return head;
  const total = rep * unit.length;
  if (total > LJ_MAX_STR || total + head.length > MAX_JS_STRING) tooLarge();
  return head + unit.repeat(rep);
}

function string_reverse(s: LuaValue): string {
  const str = checkstr(s, 1, "reverse", arguments.length >= 1);
  if (str.length > 64) return str.split("").reverse().join("");
  let out = "";
  for (let i = str.length - 1; i >= 0; i--) out += str[i];
  return out;
}

const NON_ASCII = /[\x80-\xff]/;

/** Only ASCII letters change case (the C locale); JS case mapping would touch bytes >= 128. */
function string_lower(s: LuaValue): string {
  const str = checkstr(s, 1, "lower", arguments.length >= 1);
  if (!NON_ASCII.test(str)) return str.toLowerCase();
  return str.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function string_upper(s: LuaValue): string {
  const str = checkstr(s, 1, "upper", arguments.length >= 1);
  if (!NON_ASCII.test(str)) return str.toUpperCase();
  return str.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

function string_dump(f: LuaValue): never {
  if (typeof f !== "function")
    argError(1, "dump", "function expected, got " + typeName(f, arguments.length >= 1));
  // There is no bytecode to dump: compiled Lua functions are JavaScript.
  return throwLuaError("unable to dump given function");
}

function string_format(...args: LuaValue[]): string {
  return lj_strfmt_putarg(checkstr(args[0], 1, "format", args.length >= 1), args);
}

// ---------------------------------------------------------------- find / match

/** The match results: `head` (find's positions) then the captures, or the whole match when there are none. */
function capturesResult(ms: MatchState, s: number, e: number, whole: boolean, head: LuaValue[]): any {
  return fromArray(push_captures(ms, s, e, whole, head));
}

function str_find_aux(
  find: boolean,
  nargs: number,
  s: LuaValue,
  p: LuaValue,
  init: LuaValue,
  plain: LuaValue,
): any {
  const fname = find ? "find" : "match";
  const str = typeof s === "string" ? s : checkstr(s, 1, fname, nargs >= 1);
  const pat = typeof p === "string" ? p : checkstr(p, 2, fname, nargs >= 2);
  const len = str.length;
  let start = optint(init, 3, fname, 1);
  if (start < 0) start += len;
  else start--;
  if (start < 0) start = 0;
  if (start > len) start = len;
  if (find && (truthy(plain) || !lj_str_haspattern(pat))) {
    // Search for a fixed string.
    const q = str.indexOf(pat, start);
    if (q < 0) return undefined;
    return new Multi([q + 1, q + pat.length]);
  }
  const ms = acquireState(str, pat);
  let pstart = 0;
  let anchor = false;
  if (pat.charCodeAt(0) === 94 /* ^ */) {
    pstart = 1;
    anchor = true;
  }
  let sstr = start;
  do {
    ms.level = 0;
    ms.depth = 0;
    const q = match(ms, sstr, pstart);
    if (q !== -1) {
      const r = find ? capturesResult(ms, 0, 0, false, [sstr + 1, q]) : capturesResult(ms, sstr, q, true, []);
      releaseState(ms);
      return r;
    }
  } while (sstr++ < len && !anchor);
  releaseState(ms);
  return undefined;
}

function string_find(s: LuaValue, p: LuaValue, init: LuaValue, plain: LuaValue): any {
  return str_find_aux(true, arguments.length, s, p, init, plain);
}

function string_match(s: LuaValue, p: LuaValue, init: LuaValue): any {
  return str_find_aux(false, arguments.length, s, p, init, undefined);
}

// ---------------------------------------------------------------- gmatch

function string_gmatch(s: LuaValue, p: LuaValue): (...a: any[]) => any {
  const str = checkstr(s, 1, "gmatch", arguments.length >= 1);
  const pat = checkstr(p, 2, "gmatch", arguments.length >= 2);
  // Each iterator owns its state; '^' is not an anchor here (it matches a literal '^').
  const ms = new MatchState(str, pat);
  let pos = 0;
  const gmatch_aux = () => {
    for (let src = pos; src <= ms.srcEnd; src++) {
      ms.level = 0;
      ms.depth = 0;
      const e = match(ms, src, 0);
      if (e !== -1) {
        pos = e === src ? e + 1 : e; // ensure progress for an empty match
        return capturesResult(ms, src, e, true, []);
      }
    }
    return EMPTY; // not found
  };
  return gmatch_aux;
}

// ---------------------------------------------------------------- gsub

/** The replacement string with %0-%9 expanded; '%' before any other byte (or the end, a NUL) keeps that byte. */
function add_s(ms: MatchState, news: string, s: number, e: number): string {
  let out = "";
  let from = 0;
  let i = news.indexOf("%");
  while (i >= 0) {
    out += news.slice(from, i);
    i++; // skip ESC
    const c = i < news.length ? news.charCodeAt(i) : 0;
    if (c < 48 || c > 57) {
      out += String.fromCharCode(c);
    } else if (c === 48) {
      out += ms.src.slice(s, e);
    } else {
      const cap = push_onecapture(ms, c - 49, s, e);
      out += typeof cap === "number" ? numberToString(cap) : (cap as string);
    }
    from = i + 1;
    i = from < news.length ? news.indexOf("%", from) : -1;
  }
  return out + news.slice(from);
}

function add_value(ms: MatchState, repl: LuaValue, s: number, e: number): string {
  let v: LuaValue;
  if (typeof repl === "function") {
    const r = repl(...push_captures(ms, s, e, true, []));
    v = r instanceof Multi ? r.values[0] : r;
  } else {
    v = index(repl as LuaTable, push_onecapture(ms, 0, s, e));
  }
  if (v === undefined || v === false) return ms.src.slice(s, e); // keep the original text
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  return throwLuaError("invalid replacement value (a " + type(v) + ")");
}

function string_gsub(s: LuaValue, p: LuaValue, repl: LuaValue, n: LuaValue): any {
  const src = checkstr(s, 1, "gsub", arguments.length >= 1);
  const pat = checkstr(p, 2, "gsub", arguments.length >= 2);
  const srcl = src.length;
  const max_s = luaL_optint(n, 4, "gsub", srcl + 1);
  const tr = typeof repl;
  if (!(tr === "string" || tr === "number" || tr === "function" || repl instanceof LuaTable)) {
    argError(3, "gsub", "string/function/table expected");
  }
  const news =
    tr === "number" ? numberToString(repl as number) : tr === "string" ? (repl as string) : undefined;
  const plainRepl = news !== undefined && news.indexOf("%") < 0;
  let pstart = 0;
  let anchor = false;
  if (pat.charCodeAt(0) === 94 /* ^ */) {
    pstart = 1;
    anchor = true;
  }
  const ms = acquireState(src, pat);
  let b = "";
  let copied = 0; // src[copied, pos) is unmatched text not yet appended to b
  let pos = 0;
  let count = 0;
  while (count < max_s) {
    ms.level = 0;
    ms.depth = 0;
    const e = match(ms, pos, pstart);
    if (e !== -1) {
      count++;
      b += src.slice(copied, pos);
      b += plainRepl ? news : news !== undefined ? add_s(ms, news, pos, e) : add_value(ms, repl, pos, e);
      copied = e;
    }
    if (e !== -1 && e > pos)
      pos = e; // non-empty match: skip it
    else if (pos < srcl) pos++;
    else break;
    if (anchor) break;
  }
  releaseState(ms);
  return new Multi([b + src.slice(copied), count]);
}

// ---------------------------------------------------------------- the library table

export function createStringLib(): LuaTable {
  const lib = new LuaTable();
  const fns: [string, (...args: any[]) => any][] = [
    ["byte", string_byte],
    ["char", string_char],
    ["dump", string_dump],
    ["find", string_find],
    ["format", string_format],
    ["gmatch", string_gmatch],
    ["gsub", string_gsub],
    ["len", string_len],
    ["lower", string_lower],
    ["match", string_match],
    ["rep", string_rep],
    ["reverse", string_reverse],
    ["sub", string_sub],
    ["upper", string_upper],
  ];
  for (const [name, f] of fns) {
    Object.defineProperty(f, "name", { value: name });
    lib.setStr(name, f);
  }
  return lib;
}
