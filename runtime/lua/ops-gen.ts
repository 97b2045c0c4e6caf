// Generator versions of table indexing for code running inside a coroutine, so an __index
// or __newindex function may yield, as LuaJIT allows. Only the metamethod path differs from
// ops.ts; a table hit returns at once.
import { LuaTable } from "./table.ts";
import { index, setIndex, metamethod } from "./ops.ts";
import { first } from "./multi.ts";
import { gcall } from "./coroutine.ts";

type Gen<T> = Generator<any[], T, any[]>;

function indexHandler(o: any): any {
  return o instanceof LuaTable ? o.metatable?.getStr("__index") : metamethod(o, "__index");
}

export function* indexG(o: any, k: any, d?: string): Gen<any> {
  for (let loop = 0; loop < 100; loop++) {
    if (o instanceof LuaTable) {
      const v = o.get(k);
      if (v !== undefined || o.metatable === undefined) return v;
    }
    const h = indexHandler(o);
    if (typeof h !== "function") return index(o, k, d);
    return first(yield* gcall(h, undefined, o, k));
  }
  return index(o, k, d);
}

export function* setIndexG(o: any, k: any, v: any, d?: string): Gen<void> {
  if (o instanceof LuaTable && o.metatable !== undefined && o.get(k) === undefined) {
    const h = o.metatable.getStr("__newindex");
    if (typeof h === "function") {
      yield* gcall(h, undefined, o, k, v);
      return;
    }
  }
  setIndex(o, k, v, d);
}
