// Lua operators with LuaJIT semantics: arithmetic with string coercion and metamethods,
// concatenation, comparison, equality, length, indexing and calls. Every helper has a
// fast path for the common types first; V8 inlines them at the call sites the compiler
// emits. `d*` arguments describe the operand for error messages ("local 'user'").
import { LuaTable } from "./table.ts";
import type { LuaValue, LuaFunction } from "./value.ts";
import { throwLuaError } from "./errors.ts";
import { numberToString, powC, stringToNumber } from "./number.ts";
import { first } from "./multi.ts";
import { Coroutine } from "./coroutine-type.ts";

export function type(v: LuaValue): string {
  switch (typeof v) {
    case "undefined":
      return "nil";
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
    case "function":
      return "function";
    default:
      return v instanceof LuaTable ? "table" : v instanceof Coroutine ? "thread" : "userdata";
  }
}

/** The string metatable's __index (the string library), set when a Lua state is created. */
let stringIndex: LuaTable | undefined;
export function setStringIndex(lib: LuaTable): void {
  stringIndex = lib;
}

export function getMetatable(v: LuaValue): LuaTable | undefined {
  if (v instanceof LuaTable) return v.metatable;
  if (typeof v === "string") return stringMeta;
  // Userdata-like runtime objects (io file handles) carry their metatable in a field.
  if (typeof v === "object" && v !== null) return (v as { metatable?: LuaTable }).metatable;
  return undefined;
}

let stringMeta: LuaTable | undefined;
export function setStringMetatable(mt: LuaTable): void {
  stringMeta = mt;
  const idx = mt.getStr("__index");
  if (idx instanceof LuaTable) stringIndex = idx;
}

export function metamethod(v: LuaValue, event: string): LuaValue {
  const mt = getMetatable(v);
  return mt === undefined ? undefined : mt.getStr(event);
}

// ---------------------------------------------------------------- truthiness

export function truthy(v: LuaValue): boolean {
  return v !== undefined && v !== false;
}

// ---------------------------------------------------------------- arithmetic

function toArith(v: LuaValue): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string") return stringToNumber(v);
  return undefined;
}

/** `d` is the operand's name ("local 'x'"); compiled code passes null for an unnamed left operand. */
function describe(v: LuaValue, d: string | null | undefined): string {
  return d == null ? "a " + type(v) + " value" : d + " (a " + type(v) + " value)";
}

function arithMeta(a: LuaValue, b: LuaValue, event: string, da?: string, db?: string): LuaValue {
  let mm = metamethod(a, event);
  if (mm === undefined) mm = metamethod(b, event);
  if (mm !== undefined) return first(callable(mm)(a, b));
  const blameA = toArith(a) === undefined;
  throwLuaError("attempt to perform arithmetic on " + (blameA ? describe(a, da) : describe(b, db)));
}

function arithSlow(a: LuaValue, b: LuaValue, event: string, da?: string, db?: string): LuaValue {
  const x = toArith(a);
  const y = toArith(b);
  if (x === undefined || y === undefined) return arithMeta(a, b, event, da, db);
  switch (event) {
    case "__add":
      return x + y;
    case "__sub":
      return x - y;
    case "__mul":
      return x * y;
    case "__div":
      return x / y;
    case "__mod":
      return modNum(x, y);
    default:
      return powC(x, y);
  }
}

export function add(a: any, b: any, da?: string, db?: string): any {
  return typeof a === "number" && typeof b === "number" ? a + b : arithSlow(a, b, "__add", da, db);
}
export function sub(a: any, b: any, da?: string, db?: string): any {
  return typeof a === "number" && typeof b === "number" ? a - b : arithSlow(a, b, "__sub", da, db);
}
export function mul(a: any, b: any, da?: string, db?: string): any {
  return typeof a === "number" && typeof b === "number" ? a * b : arithSlow(a, b, "__mul", da, db);
}
export function div(a: any, b: any, da?: string, db?: string): any {
  return typeof a === "number" && typeof b === "number" ? a / b : arithSlow(a, b, "__div", da, db);
}
export function mod(a: any, b: any, da?: string, db?: string): any {
  return typeof a === "number" && typeof b === "number" ? modNum(a, b) : arithSlow(a, b, "__mod", da, db);
}
export function pow(a: any, b: any, da?: string, db?: string): any {
  return typeof a === "number" && typeof b === "number" ? powC(a, b) : arithSlow(a, b, "__pow", da, db);
}

/** Lua's a % b, defined as a - floor(a/b)*b (LuaJIT computes exactly this, inf and nan included). */
export function modNum(a: number, b: number): number {
  return a - Math.floor(a / b) * b;
}

export function unm(a: any, da?: string): any {
  if (typeof a === "number") return -a;
  const x = toArith(a);
  if (x !== undefined) return -x;
  const mm = metamethod(a, "__unm");
  if (mm !== undefined) return first(callable(mm)(a, a));
  throwLuaError("attempt to perform arithmetic on " + describe(a, da));
}

// ---------------------------------------------------------------- concatenation

export function tostr(v: number | string): string {
  return typeof v === "string" ? v : numberToString(v);
}

export function concat(a: any, b: any, da?: string, db?: string): any {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === "string" || ta === "number") && (tb === "string" || tb === "number")) {
    return (ta === "string" ? a : numberToString(a)) + (tb === "string" ? b : numberToString(b));
  }
  let mm = metamethod(a, "__concat");
  if (mm === undefined) mm = metamethod(b, "__concat");
  if (mm !== undefined) return first(callable(mm)(a, b));
  const blameA = !(ta === "string" || ta === "number");
  throwLuaError("attempt to concatenate " + (blameA ? describe(a, da) : describe(b, db)));
}

// ---------------------------------------------------------------- comparison

function compareError(a: LuaValue, b: LuaValue): never {
  const t1 = type(a);
  const t2 = type(b);
  throwLuaError(
    t1 === t2 ? "attempt to compare two " + t1 + " values" : "attempt to compare " + t1 + " with " + t2,
  );
}

function orderMeta(a: LuaValue, b: LuaValue, event: string): boolean {
  const m1 = metamethod(a, event);
  const m2 = metamethod(b, event);
  if (m1 !== undefined && m1 === m2) return truthy(first(callable(m1)(a, b)));
  if (event === "__le" && type(a) === type(b)) {
    // Lua 5.1: a <= b is not (b < a) when only __lt exists.
    const l1 = metamethod(a, "__lt");
    if (l1 !== undefined && l1 === metamethod(b, "__lt")) return !truthy(first(callable(l1)(b, a)));
  }
  return compareError(a, b);
}

export function lt(a: any, b: any): boolean {
  if (typeof a === "number" && typeof b === "number") return a < b;
  if (typeof a === "string" && typeof b === "string") return a < b;
  if (type(a) !== type(b) || typeof a !== "object") compareError(a, b);
  return orderMeta(a, b, "__lt");
}

export function le(a: any, b: any): boolean {
  if (typeof a === "number" && typeof b === "number") return a <= b;
  if (typeof a === "string" && typeof b === "string") return a <= b;
  if (type(a) !== type(b) || typeof a !== "object") compareError(a, b);
  return orderMeta(a, b, "__le");
}

export function eq(a: any, b: any): boolean {
  if (a === b) return true;
  if (!(a instanceof LuaTable) || !(b instanceof LuaTable)) return false;
  const m1 = metamethod(a, "__eq");
  if (m1 === undefined || m1 !== metamethod(b, "__eq")) return false;
  return truthy(first(callable(m1)(a, b)));
}

export function rawequal(a: LuaValue, b: LuaValue): boolean {
  return a === b;
}

// ---------------------------------------------------------------- length

export function len(v: any, d?: string): any {
  if (typeof v === "string") return v.length;
  if (v instanceof LuaTable) return v.arr.length; // LuaJIT ignores __len on tables (5.1 semantics)
  throwLuaError("attempt to get length of " + describe(v, d));
}

// ---------------------------------------------------------------- indexing

/** t[k] with __index. */
export function index(o: any, k: any, d?: string): any {
  if (o instanceof LuaTable) {
    const v = o.get(k);
    if (v !== undefined || o.metatable === undefined) return v;
    return indexMeta(o, k, d);
  }
  return indexMeta(o, k, d);
}

/** t.name for a constant string key (skips the number checks). */
export function indexStr(o: any, k: string, d?: string): any {
  if (o instanceof LuaTable) {
    const v = o.getStr(k);
    if (v !== undefined || o.metatable === undefined) return v;
  }
  return indexMeta(o, k, d);
}

function indexMeta(o: any, k: any, d: string | undefined): any {
  for (let loop = 0; loop < 100; loop++) {
    let h: LuaValue;
    if (o instanceof LuaTable) {
      if (loop > 0) {
        const v = o.get(k);
        if (v !== undefined) return v;
      }
      const mt = o.metatable;
      h = mt === undefined ? undefined : mt.getStr("__index");
      if (h === undefined) return undefined;
    } else if (typeof o === "string") {
      if (stringIndex !== undefined && stringMeta?.getStr("__index") === stringIndex)
        return stringIndex.get(k);
      h = metamethod(o, "__index");
      if (h === undefined) throwLuaError("attempt to index " + describe(o, d));
    } else {
      h = metamethod(o, "__index");
      if (h === undefined) throwLuaError("attempt to index " + describe(o, d));
    }
    if (typeof h === "function") return first(callIndexHandler(h, o, k));
    o = h;
    d = undefined;
  }
  throwLuaError("loop in gettable");
}

/**
 * Nesting of __index functions, bounded as LuaJIT bounds C-call depth: a runaway chain of
 * them ends in a catchable "stack overflow" instead of exhausting memory first.
 */
let metaDepth = 0;
const MAX_META_DEPTH = 8000;

function callIndexHandler(h: LuaFunction, o: any, k: any): any {
  if (++metaDepth > MAX_META_DEPTH) {
    metaDepth = 0;
    throwLuaError("stack overflow");
  }
  try {
    return h(o, k);
  } finally {
    if (metaDepth > 0) metaDepth--;
  }
}

/** t[k] = v with __newindex. */
export function setIndex(o: any, k: any, v: any, d?: string): void {
  for (let loop = 0; loop < 100; loop++) {
    if (o instanceof LuaTable) {
      const mt = o.metatable;
      if (mt === undefined) return o.set(k, v);
      const h = mt.getStr("__newindex");
      if (h === undefined || o.get(k) !== undefined) return o.set(k, v);
      if (typeof h === "function") {
        h(o, k, v);
        return;
      }
      o = h;
      continue;
    }
    const h = metamethod(o, "__newindex");
    if (h === undefined) throwLuaError("attempt to index " + describe(o, d));
    if (typeof h === "function") {
      h(o, k, v);
      return;
    }
    o = h;
    d = undefined;
  }
  throwLuaError("loop in settable");
}

// ---------------------------------------------------------------- calls

/** The JS function to call for the Lua value f (its __call metamethod for callable tables). */
export function callable(f: any, d?: string): LuaFunction {
  if (typeof f === "function") return f;
  const mm = metamethod(f, "__call");
  if (typeof mm === "function") return (...args: any[]) => mm(f, ...args);
  throwLuaError("attempt to call " + describe(f, d));
}

/** Method call o:name(...): looks up the method and calls it with o as self. */
export function callMethod(o: any, name: string, ...args: any[]): any {
  const f = indexStr(o, name, undefined);
  if (typeof f === "function") return f(o, ...args);
  return callable(f, "method '" + name + "'")(o, ...args);
}

/** a > b is evaluated as b < a, so the error names the operands swapped, as LuaJIT does. */
export function gt(a: any, b: any): boolean {
  if (typeof a === "number" && typeof b === "number") return a > b;
  return lt(b, a);
}

export function ge(a: any, b: any): boolean {
  if (typeof a === "number" && typeof b === "number") return a >= b;
  return le(b, a);
}

/** C's pow: 1^nan and (-1)^inf are 1, where Math.pow gives NaN. */
export function powNum(a: number, b: number): number {
  return powC(a, b);
}

/** Numeric-for bounds: numbers, or strings that convert ("'for' limit must be a number"). */
export function forNum(v: any, what: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const n = stringToNumber(v);
    if (n !== undefined) return n;
  }
  throwLuaError("'for' " + what + " must be a number");
}

/** t[#t + 1] = v: for a plain table, a push onto the array part. */
export function append(t: any, v: any, d?: string): void {
  if (t instanceof LuaTable && t.metatable === undefined) return t.setNum(t.arr.length + 1, v);
  setIndex(t, add(len(t, d), 1), v, d);
}
