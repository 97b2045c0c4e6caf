// The generic `for` loop protocol. `forIterator(f, s, c)` returns a stepper object; the
// compiled loop calls step() and reads a/b (and at(i) for a third variable onward).
// pairs/next and ipairs get dedicated steppers that allocate nothing per iteration.
import { LuaTable, luaKey } from "./table.ts";
import type { LuaValue } from "./value.ts";
import { Multi } from "./multi.ts";
import { callable } from "./ops.ts";
import { checkTable } from "./args.ts";
import { gcall } from "./coroutine.ts";

export interface Stepper {
  a: LuaValue;
  b: LuaValue;
  step(): boolean;
  /** step() for loops inside coroutines: a Lua iterator function may yield. */
  stepG(): Generator<any[], boolean, any[]>;
  at(i: number): LuaValue;
}

/** Lua's next(t, k) as a library function; the identity matters for pairs(t) == next. */
export function luaNext(...a: any[]): any {
  const e = checkTable(a[0], 1, "next", a.length > 0).next(a[1]);
  return e === undefined ? undefined : new Multi(e);
}

/** Lua's ipairs iterator function. */
export function ipairsStep(t: any, i: number): any {
  const j = i + 1;
  const v = t instanceof LuaTable ? t.getNum(j) : undefined;
  return v === undefined ? undefined : new Multi([j, v]);
}

class TableStepper implements Stepper {
  a: LuaValue = undefined;
  b: LuaValue = undefined;
  private readonly t: LuaTable;
  private i = 0;
  /** Keys outside the array part, snapshotted when the array part is done. */
  private keys: any[] | null = null;
  private k = 0;
  constructor(t: LuaTable) {
    this.t = t;
  }
  step(): boolean {
    const t = this.t;
    const arr = t.arr;
    while (this.i < arr.length) {
      const v = arr[this.i++];
      if (v !== undefined) {
        this.a = this.i;
        this.b = v;
        return true;
      }
    }
    if (this.keys === null) {
      const keys: any[] = [];
      const s = t.strs;
      for (const key in s) keys.push(key);
      if (t.hash !== null) for (const key of t.hash.keys()) keys.push(key);
      this.keys = keys;
    }
    // Keys assigned nil during the loop (allowed in Lua) are skipped here.
    while (this.k < this.keys.length) {
      const key = this.keys[this.k++];
      // String keys are strs property names here (see strKey).
      const v = typeof key === "string" ? t.strs[key] : t.get(key);
      if (v !== undefined) {
        this.a = typeof key === "string" ? luaKey(key) : key;
        this.b = v;
        return true;
      }
    }
    return false;
  }
  // eslint-disable-next-line require-yield
  *stepG(): Generator<any[], boolean, any[]> {
    return this.step();
  }
  at(i: number): LuaValue {
    return i === 0 ? this.a : i === 1 ? this.b : undefined;
  }
}

class IpairsStepper implements Stepper {
  a: LuaValue = undefined;
  b: LuaValue = undefined;
  private readonly t: LuaTable;
  private i = 0;
  constructor(t: LuaTable) {
    this.t = t;
  }
  step(): boolean {
    const v = this.t.getNum(this.i + 1);
    if (v === undefined) return false;
    this.a = ++this.i;
    this.b = v;
    return true;
  }
  // eslint-disable-next-line require-yield
  *stepG(): Generator<any[], boolean, any[]> {
    return this.step();
  }
  at(i: number): LuaValue {
    return i === 0 ? this.a : i === 1 ? this.b : undefined;
  }
}

class GenericStepper implements Stepper {
  a: LuaValue = undefined;
  b: LuaValue = undefined;
  private values: LuaValue[] = [];
  private readonly f: (...args: any[]) => any;
  private readonly s: LuaValue;
  private c: LuaValue;
  constructor(f: LuaValue, s: LuaValue, c: LuaValue) {
    this.f = callable(f, "a 'for' iterator");
    this.s = s;
    this.c = c;
  }
  step(): boolean {
    return this.took(this.f(this.s, this.c));
  }
  *stepG(): Generator<any[], boolean, any[]> {
    return this.took(yield* gcall(this.f, "a 'for' iterator", this.s, this.c));
  }
  private took(r: any): boolean {
    if (r instanceof Multi) {
      this.values = r.values;
      this.a = r.values[0];
      this.b = r.values[1];
    } else {
      this.values = [r];
      this.a = r;
      this.b = undefined;
    }
    if (this.a === undefined) return false;
    this.c = this.a;
    return true;
  }
  at(i: number): LuaValue {
    return this.values[i];
  }
}

export function forIterator(f: LuaValue, s: LuaValue, c: LuaValue): Stepper {
  if (f === luaNext && s instanceof LuaTable && c === undefined) {
    return new TableStepper(s);
  }
  if (f === ipairsStep && s instanceof LuaTable && c === 0) {
    return new IpairsStepper(s);
  }
  return new GenericStepper(f, s, c);
}

/** `for ... in f()`: the call's values are the iterator triple. */
export function forIteratorOf(result: any): Stepper {
  if (result instanceof Multi) {
    const v = result.values;
    return forIterator(v[0], v[1], v[2]);
  }
  return forIterator(result, undefined, undefined);
}

/** `for ... in a, b, c`: an explicit expression list. */
export function forIteratorList(values: LuaValue[]): Stepper {
  return forIterator(values[0], values[1], values[2]);
}
