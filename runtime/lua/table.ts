// LuaTable: an array part for the keys 1..n, an object for string keys, and a Map for
// every other key, plus a metatable. Invariants (keep them when editing):
//  - arr[i] holds key i+1; holes (undefined) may exist inside arr but never at its end;
//  - hash never holds an integer key in [1, arr.length + 1], so `#t` is arr.length;
//  - hash never holds a string key (strings live in strs, named by strKey: code that reads
//    or writes strs directly must use strKey for keys it does not know, luaKey when listing).
// Map keys use SameValueZero, so 1 and 1.0 are one key, -0 is 0; "1" is a string key.
import type { LuaValue } from "./value.ts";
import { throwLuaError } from "./errors.ts";

/**
 * String keys live in `strs`, an ordinary JS object whose prototype chain holds no
 * properties at all (so "__proto__", "constructor", "toString" are plain keys): V8 gives
 * such objects hidden classes, and the compiler emits inline `t.strs.name` loads that get
 * per-site inline caches. A nil assignment leaves an `undefined` tombstone (deleting would
 * drop the object to dictionary mode); dynamic-key deletions are counted and compacted.
 */
/**
 * Encodes `t` at nesting `depth` exactly as the generic encoder would, faster because it knows
 * the keys and value types to expect; undefined when the table no longer fits (generic then).
 */
export type JsonSerializer = (t: LuaTable, depth: number) => string | undefined;

/**
 * The `strs` property name of a string key. JS objects list array-index keys ("0", "10") before
 * all others, whatever the insertion order; Lua tables here keep insertion order (pairs, JSON),
 * so such keys get a prefix no Lua string contains (a char above 0xFF; Lua strings are bytes).
 */
export function strKey(k: string): string {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && isArrayIndex(k) ? INDEX_PREFIX + k : k;
}

/** The Lua key of a `strs` property name (strKey's inverse). */
export function luaKey(name: string): string {
  return name.charCodeAt(0) === 0x100 ? name.slice(1) : name;
}

const INDEX_PREFIX = "\u0100";

/** "0" or a decimal without leading zeros below 2^32 - 1: what JS objects order numerically. */
function isArrayIndex(k: string): boolean {
  const n = k.length;
  if (n > 10 || (n > 1 && k.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < n; i++) {
    const c = k.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return n < 10 || Number(k) < 4294967295;
}

const STRS_PROTO: Record<string, LuaValue> = Object.freeze(Object.create(null));
export const EMPTY_STRS: Record<string, LuaValue> = Object.freeze(Object.create(STRS_PROTO));

export function newStrs(): Record<string, LuaValue> {
  return Object.create(STRS_PROTO);
}

export class LuaTable {
  arr: LuaValue[];
  strs: Record<string, LuaValue>;
  /** Keys that are neither strings nor array-part integers; null until the first one. */
  hash: Map<any, LuaValue> | null;
  metatable: LuaTable | undefined;
  /** Set on tables decoded from a JSON array or produced as a guard array: they encode as [] when empty. */
  jsonArray: boolean;
  /**
   * A JSON serializer generated at build time for the shape this table was created with (a
   * returned table constructor, a guard's output); null for most tables. See runtime/lua/json.ts.
   */
  serializer: JsonSerializer | null;
  /** Tombstones left in `strs` by nil assignments through the helpers. */
  private deadStrs: number;
  /** Snapshot of non-array keys for next(); rebuilt when a traversal leaves the array part. */
  private iterKeys: any[] | null;
  private iterPos: number;

  constructor(arr?: LuaValue[]) {
    this.arr = arr === undefined ? [] : arr;
    this.strs = EMPTY_STRS;
    this.hash = null;
    this.metatable = undefined;
    this.jsonArray = false;
    this.serializer = null;
    this.deadStrs = 0;
    this.iterKeys = null;
    this.iterPos = 0;
    if (arr !== undefined) this.trimArray();
  }

  get(key: LuaValue): LuaValue {
    if (typeof key === "string") return this.strs[strKey(key)];
    if (typeof key === "number") return this.getNum(key);
    return this.hash === null ? undefined : this.hash.get(key);
  }

  getStr(key: string): LuaValue {
    return this.strs[strKey(key)];
  }

  getNum(key: number): LuaValue {
    const a = this.arr;
    if (key >= 1 && key <= a.length && (key | 0) === key) return a[key - 1];
    return this.hash === null ? undefined : this.hash.get(key);
  }

  set(key: LuaValue, value: LuaValue): void {
    if (typeof key === "string") return this.setStr(key, value);
    if (typeof key === "number") return this.setNum(key, value);
    if (key === undefined) throwLuaError("table index is nil");
    this.setHash(key, value);
  }

  setStr(lua: string, value: LuaValue): void {
    const key = strKey(lua);
    let s = this.strs;
    if (value === undefined) {
      if (s[key] === undefined) return;
      s[key] = undefined;
      if (++this.deadStrs > 32) this.compactStrs();
      return;
    }
    if (s === EMPTY_STRS) s = this.strs = newStrs();
    s[key] = value;
  }

  setNum(key: number, value: LuaValue): void {
    const a = this.arr;
    const n = a.length;
    if ((key | 0) === key && key >= 1 && key <= n + 1) {
      if (key <= n) {
        a[key - 1] = value;
        if (value === undefined && key === n) this.trimArray();
      } else if (value !== undefined) {
        a.push(value);
        if (this.hash !== null && this.hash.size > 0) this.migrateFromHash();
      }
      return;
    }
    if (key !== key) throwLuaError("table index is NaN");
    this.setHash(key, value);
  }

  private setHash(key: any, value: LuaValue): void {
    if (value === undefined) {
      if (this.hash !== null) this.hash.delete(key);
      return;
    }
    if (this.hash === null) this.hash = new Map();
    this.hash.set(key, value);
  }

  /** Rebuilds `strs` without tombstones when they outnumber the live keys (checked every 32 deletions). */
  private compactStrs(): void {
    const old = this.strs;
    let live = 0;
    let total = 0;
    for (const k in old) {
      total++;
      if (old[k] !== undefined) live++;
    }
    this.deadStrs = 0;
    if (total - live <= live) return;
    const s = newStrs();
    for (const k in old) if (old[k] !== undefined) s[k] = old[k];
    this.strs = s;
  }

  /** Pulls keys n+1, n+2, ... out of the hash part after the array grew to n. */
  private migrateFromHash(): void {
    const h = this.hash!;
    const a = this.arr;
    let v = h.get(a.length + 1);
    while (v !== undefined) {
      h.delete(a.length + 1);
      a.push(v);
      v = h.get(a.length + 1);
    }
  }

  private trimArray(): void {
    const a = this.arr;
    let n = a.length;
    while (n > 0 && a[n - 1] === undefined) n--;
    a.length = n;
  }

  /** The length operator without metamethods: a border of the table. */
  length(): number {
    return this.arr.length;
  }

  /** True when the table has no key outside the array part. */
  hasOnlyArrayPart(): boolean {
    if (this.hash !== null && this.hash.size > 0) return false;
    const s = this.strs;
    for (const k in s) if (s[k] !== undefined) return false;
    return true;
  }

  /** Calls f for every entry: the array part in order, then string keys, then other keys. */
  forEach(f: (key: LuaValue, value: LuaValue) => void): void {
    const a = this.arr;
    for (let i = 0; i < a.length; i++) if (a[i] !== undefined) f(i + 1, a[i]);
    const s = this.strs;
    for (const k in s) {
      const v = s[k];
      if (v !== undefined) f(luaKey(k), v);
    }
    if (this.hash !== null) for (const [k, v] of this.hash) f(k, v);
  }

  /** Lua's next(t, key): [key, value] of the entry after `key`, or undefined at the end. */
  next(key: LuaValue): [LuaValue, LuaValue] | undefined {
    const a = this.arr;
    let i = 0;
    if (key !== undefined) {
      if (typeof key === "number" && (key | 0) === key && key >= 1 && key <= a.length) {
        i = key;
      } else {
        return this.nextOutsideArray(key);
      }
    }
    for (; i < a.length; i++) {
      if (a[i] !== undefined) return [i + 1, a[i]];
    }
    this.iterKeys = this.keysOutsideArray();
    this.iterPos = -1;
    return this.scanKeys(0);
  }

  /** The keys outside the array part, cleared string keys included (next may be given one). */
  private keysOutsideArray(): any[] {
    const keys: any[] = [];
    const s = this.strs;
    for (const k in s) keys.push(luaKey(k));
    if (this.hash !== null) for (const k of this.hash.keys()) keys.push(k);
    return keys;
  }

  private nextOutsideArray(key: LuaValue): [LuaValue, LuaValue] | undefined {
    let keys = this.iterKeys;
    let pos = this.iterPos;
    if (keys === null || keys[pos] !== key) {
      if (keys === null || (pos = keys.indexOf(key)) < 0) {
        keys = this.iterKeys = this.keysOutsideArray();
        pos = keys.indexOf(key);
        // An index of the array part that a nil store just cut off its end (t[#t] = nil while
        // traversing, which Lua allows): the traversal goes on after the array part.
        if (pos < 0 && typeof key === "number" && (key | 0) === key && key > this.arr.length && key >= 1)
          pos = -1;
        else if (pos < 0) throwLuaError("invalid key to 'next'");
      }
    }
    return this.scanKeys(pos + 1);
  }

  private scanKeys(from: number): [LuaValue, LuaValue] | undefined {
    const keys = this.iterKeys!;
    for (let p = from; p < keys.length; p++) {
      const v = this.get(keys[p]);
      if (v !== undefined) {
        this.iterPos = p;
        return [keys[p], v];
      }
    }
    this.iterKeys = null;
    return undefined;
  }
}

/**
 * A table from positional items (may hold nils, like `{1, nil, 3}`) and keyed fields as a flat
 * list k1, v1, k2, v2, ...; positional items win over keyed fields with the same index. For
 * runtime code and tests: compiled constructors use tableOf, which follows LuaJIT's order.
 */
export function tableFrom(items: LuaValue[] | undefined, pairs: LuaValue[] | undefined): LuaTable {
  const t = new LuaTable(items);
  if (pairs !== undefined) {
    const n = items === undefined ? 0 : items.length;
    for (let i = 0; i < pairs.length; i += 2) {
      const k = pairs[i];
      if (typeof k === "number" && (k | 0) === k && k >= 1 && k <= n && items![k - 1] !== undefined) continue;
      t.set(k, pairs[i + 1]);
    }
  }
  return t;
}

/**
 * Builds a table from a constructor's stores (compiler/lower/tables.ts): pairs k1, v1, k2, v2,
 * ... in source order, applied in turn (a nil value stores nothing, or clears what an earlier
 * store set), so keys take their places in source order. When `constants` marks some pairs
 * constant ("c") and others not, they are applied again in LuaJIT's order, constants first,
 * which gives each key LuaJIT's value. Then the values of a multi-valued last item, from
 * index `tailStart` on.
 */
export function tableOf(pairs: LuaValue[], constants?: string, tail?: LuaValue[], tailStart = 1): LuaTable {
  const t = new LuaTable();
  for (let i = 0; i < pairs.length; i += 2) t.set(pairs[i], pairs[i + 1]);
  if (constants !== undefined) {
    for (let i = 0; i < pairs.length; i += 2) if (constants[i / 2] === "c") t.set(pairs[i], pairs[i + 1]);
    for (let i = 0; i < pairs.length; i += 2) if (constants[i / 2] !== "c") t.set(pairs[i], pairs[i + 1]);
  }
  if (tail !== undefined) for (let j = 0; j < tail.length; j++) t.setNum(tailStart + j, tail[j]);
  return t;
}
