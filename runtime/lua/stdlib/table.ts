// The table library of LuaJIT 2.1: insert, remove, concat, sort, maxn, getn, move, foreach,
// foreachi. All of it is raw: the C functions use lj_tab_getint/setint and the Lua-coded ones
// (remove, move, foreach*) are built with the raw TGETR/TSETR bytecodes, so metatables never run.
import { LuaTable } from "../table.ts";
import type { LuaValue } from "../value.ts";
import { EMPTY, first } from "../multi.ts";
import { LuaError, throwLuaError } from "../errors.ts";
import { argError, checkInt, checkNumber, checkString } from "../args.ts";
import { type, metamethod, callable, truthy } from "../ops.ts";
import { numberToString } from "../number.ts";
import { define } from "./define.ts";

/** LuaJIT says "got nil" for an explicit nil and "got no value" past the last argument. */
function wrongType(n: number, fname: string, expected: string, v: LuaValue, present: boolean): never {
  argError(n, fname, expected + " expected, got " + (present ? type(v) : "no value"));
}

function tableArg(v: LuaValue, n: number, fname: string, present: boolean): LuaTable {
  if (v instanceof LuaTable) return v;
  return wrongType(n, fname, "table", v, present);
}

function intArg(v: LuaValue, n: number, fname: string, present: boolean): number {
  if (v === undefined) wrongType(n, fname, "number", v, present);
  return checkInt(v, n, fname);
}

/** CHECK_tab / CHECK_int of LuaJIT's Lua-coded library functions: a missing argument is a nil parameter. */
function luaTableArg(v: LuaValue, n: number, fname: string): LuaTable {
  return tableArg(v, n, fname, true);
}

/** CHECK_int only converts to a number: fractions survive (the raw accesses truncate them). */
function luaNumArg(v: LuaValue, n: number, fname: string): number {
  if (v === undefined) wrongType(n, fname, "number", v, true);
  return checkNumber(v, n, fname);
}

/** The key of LuaJIT's TGETR/TSETR bytecodes (raw integer indexing): cvttsd2si truncation. */
function rawKey(x: number): number {
  return x > -2147483649 && x < 2147483648 ? Math.trunc(x) : -2147483648;
}

// ---------------------------------------------------------------- insert / remove

function insert(t: LuaValue, pos: LuaValue, value: LuaValue): any {
  const nargs = arguments.length;
  const tt = tableArg(t, 1, "insert", nargs > 0);
  const a = tt.arr;
  const e = a.length + 1;
  if (nargs === 2) {
    tt.setNum(e, pos);
    return EMPTY;
  }
  if (nargs !== 3) throwLuaError("wrong number of arguments to 'insert'");
  const n = intArg(pos, 2, "insert", true);
  if (n >= 1 && n < e) {
    // Shift inside the array part: append the last element (which may pull following
    // keys out of the hash), then move [n, e-2] up by one.
    tt.setNum(e, a[e - 2]);
    a.copyWithin(n, n - 1, e - 2);
    a[n - 1] = value;
    return EMPTY;
  }
  // The general loop of lib_table.c, including positions outside 1..#t+1 (no bounds check in 2.1).
  for (let i = e; i > n; i--) tt.setNum(i, tt.getNum(i - 1));
  tt.setNum(n, value);
  return EMPTY;
}

function remove(t: LuaValue, pos: LuaValue): any {
  const tt = luaTableArg(t, 1, "remove");
  const a = tt.arr;
  const len = a.length;
  if (pos === undefined) {
    if (len === 0) return EMPTY;
    const old = a[len - 1];
    tt.setNum(len, undefined);
    return old;
  }
  const p = luaNumArg(pos, 2, "remove");
  if (!(p >= 1 && p <= len)) return EMPTY;
  if ((p | 0) === p) {
    const old = a[p - 1];
    a.copyWithin(p - 1, p, len);
    tt.setNum(len, undefined);
    return old;
  }
  // A fractional position stays fractional in the loop; only the raw accesses truncate it.
  const old = tt.getNum(rawKey(p));
  for (let i = p + 1; i <= len; i++) tt.setNum(rawKey(i - 1), tt.getNum(rawKey(i)));
  tt.setNum(len, undefined);
  return old;
}

// ---------------------------------------------------------------- concat

function concat(t: LuaValue, sep: LuaValue, i: LuaValue, j: LuaValue): string {
  const nargs = arguments.length;
  const tt = tableArg(t, 1, "concat", nargs > 0);
  const s = sep === undefined ? "" : checkString(sep, 2, "concat");
  const from = i === undefined ? 1 : checkInt(i, 3, "concat");
  const to = j === undefined ? tt.arr.length : checkInt(j, 4, "concat");
  if (from > to) return "";
  // Collect then join: much faster than growing one string for long lists.
  const parts: string[] = [];
  for (let k = from; k <= to; k++) {
    const v = tt.getNum(k);
    if (typeof v === "string") parts.push(v);
    else if (typeof v === "number") parts.push(numberToString(v));
    else throwLuaError("invalid value (" + type(v) + ") at index " + k + " in table for 'concat'");
  }
  return parts.join(s);
}

// ---------------------------------------------------------------- sort

/** lua_lessthan as sort uses it: comparison errors carry no position (the frame is C). */
function lessThan(a: LuaValue, b: LuaValue): boolean {
  if (typeof a === "number" && typeof b === "number") return a < b;
  if (typeof a === "string" && typeof b === "string") return a < b;
  const ta = type(a);
  const tb = type(b);
  if (ta === tb && (a instanceof LuaTable || ta === "boolean")) {
    const mm = metamethod(a, "__lt");
    if (mm !== undefined && mm === metamethod(b, "__lt")) return truthy(first(callable(mm)(a, b)));
  }
  throw new LuaError(
    ta === tb ? "attempt to compare two " + ta + " values" : "attempt to compare " + ta + " with " + tb,
  );
}

/**
 * ltablib.c's quicksort, kept step for step so comparator calls happen in the same order
 * with the same arguments, and invalid order functions fail at the same point. `a` is the
 * table's array part: sort only touches keys 1..#t, which is exactly that part.
 */
function auxsort(a: LuaValue[], l: number, u: number, less: (x: LuaValue, y: LuaValue) => boolean): void {
  while (l < u) {
    // sort elements a[l], a[(l+u)/2] and a[u]
    let x = a[l - 1];
    let y = a[u - 1];
    if (less(y, x)) {
      a[l - 1] = y;
      a[u - 1] = x;
    }
    if (u - l === 1) break;
    let i = (l + u) >> 1;
    x = a[i - 1];
    y = a[l - 1];
    if (less(x, y)) {
      a[i - 1] = y;
      a[l - 1] = x;
    } else {
      y = a[u - 1];
      if (less(y, x)) {
        a[i - 1] = y;
        a[u - 1] = x;
      }
    }
    if (u - l === 2) break;
    const pivot = a[i - 1];
    a[i - 1] = a[u - 2];
    a[u - 2] = pivot;
    // a[l] <= P == a[u-1] <= a[u], only need to sort from l+1 to u-2
    i = l;
    let j = u - 1;
    for (;;) {
      // repeat ++i until a[i] >= P
      while (less(a[++i - 1], pivot)) {
        if (i >= u) throwLuaError("invalid order function for sorting");
      }
      // repeat --j until a[j] <= P
      while (less(pivot, a[--j - 1])) {
        if (j <= l) throwLuaError("invalid order function for sorting");
      }
      if (j < i) break;
      const t = a[i - 1];
      a[i - 1] = a[j - 1];
      a[j - 1] = t;
    }
    const t = a[u - 2];
    a[u - 2] = a[i - 1];
    a[i - 1] = t;
    // a[l..i-1] <= a[i] == P <= a[i+1..u]; recurse into the smaller half, loop on the larger.
    if (i - l < u - i) {
      j = l;
      i = i - 1;
      l = i + 2;
    } else {
      j = i + 1;
      i = u;
      u = j - 2;
    }
    auxsort(a, j, i, less);
  }
}

function sort(t: LuaValue, comp: LuaValue): any {
  const tt = tableArg(t, 1, "sort", arguments.length > 0);
  if (comp !== undefined && typeof comp !== "function") wrongType(2, "sort", "function", comp, true);
  const a = tt.arr;
  const less =
    comp === undefined
      ? lessThan
      : (x: LuaValue, y: LuaValue): boolean => truthy(first((comp as (...args: any[]) => any)(x, y)));
  auxsort(a, 1, a.length, less);
  // A comparator may have stored nils (it sees the live table); keep the no-trailing-hole invariant.
  let n = a.length;
  while (n > 0 && a[n - 1] === undefined) n--;
  a.length = n;
  return EMPTY;
}

// ---------------------------------------------------------------- the rest

function maxn(t: LuaValue): number {
  const tt = tableArg(t, 1, "maxn", arguments.length > 0);
  let m = tt.arr.length;
  if (tt.hash !== null) {
    // Numeric keys outside the array part live in the hash part (strings never do).
    for (const k of tt.hash.keys()) if (typeof k === "number" && k > m) m = k;
  }
  return m;
}

function getn(t: LuaValue): number {
  return tableArg(t, 1, "getn", true).arr.length;
}

function move(a1: LuaValue, f: LuaValue, e: LuaValue, t: LuaValue, a2: LuaValue): LuaTable {
  const src = luaTableArg(a1, 1, "move");
  const from = luaNumArg(f, 2, "move");
  const end = luaNumArg(e, 3, "move");
  const to = luaNumArg(t, 4, "move");
  const dst = a2 === undefined ? src : luaTableArg(a2, 5, "move");
  if (end >= from) {
    const d = to - from;
    if (to > end || to <= from || dst !== src) {
      for (let i = from; i <= end; i++) dst.setNum(rawKey(i + d), src.getNum(rawKey(i)));
    } else {
      for (let i = end; i >= from; i--) dst.setNum(rawKey(i + d), src.getNum(rawKey(i)));
    }
  }
  return dst;
}

function foreachi(t: LuaValue, f: LuaValue): any {
  const tt = luaTableArg(t, 1, "foreachi");
  if (typeof f !== "function") wrongType(2, "foreachi", "function", f, true);
  const n = tt.arr.length;
  for (let i = 1; i <= n; i++) {
    const r = first(f(i, tt.getNum(i)));
    if (r !== undefined) return r;
  }
  return EMPTY;
}

function foreach(t: LuaValue, f: LuaValue): any {
  const tt = luaTableArg(t, 1, "foreach");
  if (typeof f !== "function") wrongType(2, "foreach", "function", f, true);
  let e = tt.next(undefined);
  while (e !== undefined) {
    const r = first(f(e[0], e[1]));
    if (r !== undefined) return r;
    e = tt.next(e[0]);
  }
  return EMPTY;
}

export function createTableLib(): LuaTable {
  const t = new LuaTable();
  define(t, "foreachi", foreachi);
  define(t, "foreach", foreach);
  define(t, "getn", getn);
  define(t, "maxn", maxn);
  define(t, "insert", insert);
  define(t, "remove", remove);
  define(t, "move", move);
  define(t, "concat", concat);
  define(t, "sort", sort);
  return t;
}
