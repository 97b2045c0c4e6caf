// Inline fast paths for table access. A helper call such as $indexStr(t, "x") shares one
// inline cache among every site in the program; emitting the common case inline gives each
// site its own, so V8 sees `t.strs.x` on objects of one hidden class and compiles it to a
// load. Every fast path falls back to the full helper (metatables, strings, errors).
import * as b from "./builders.ts";
import type { JsNode } from "./builders.ts";
import type { LowerContext } from "./context.ts";
import { strKey } from "../../runtime/lua/table.ts";

const defined = (v: JsNode) => b.binary("!==", v, b.undef());

/**
 * The full helper for a table access; inside a generator version (coroutines) the yielding
 * variant, so an __index or __newindex function can yield.
 */
export function slowAccess(
  ctx: LowerContext,
  helper: "indexStr" | "index" | "setIndex",
  args: JsNode[],
  at?: any,
): JsNode {
  if (!ctx.genMode) return b.call(ctx.helper(helper), args, at);
  const gen = helper === "setIndex" ? "setIndexG" : "indexG";
  return { type: "YieldExpression", delegate: true, argument: b.call(ctx.helper(gen), args, at) };
}
const isTable = (o: JsNode, ctx: LowerContext) => b.binary("instanceof", o, ctx.helper("LuaTable"));
const strsOf = (o: JsNode) => b.member(o, "strs");
/** `strs["key"]`: the property name strKey gives (array-index-like keys are prefixed). */
const field = (obj: JsNode, key: string) => b.index(obj, b.lit(strKey(key)));

/** Evaluates `obj` once: a simple local is used as is, anything else goes through a temp. */
export function once(obj: JsNode, simple: boolean, ctx: LowerContext): { ref: JsNode; setup: JsNode[] } {
  if (simple) return { ref: obj, setup: [] };
  const t = ctx.fn.temp();
  return { ref: t, setup: [b.assign(t, obj)] };
}

/** t.key: own string key inline, then $indexStr. */
export function getStrFast(
  obj: JsNode,
  simple: boolean,
  key: string,
  desc: JsNode[],
  ctx: LowerContext,
  at?: any,
): JsNode {
  const { ref, setup } = once(obj, simple, ctx);
  const v = ctx.fn.temp();
  const fast = b.logical("&&", isTable(ref, ctx), defined(b.assign(v, field(strsOf(ref), key))));
  const slow = slowAccess(ctx, "indexStr", [ref, b.lit(key), ...desc], at);
  return b.seq([...setup, b.cond(fast, v, slow)]);
}

/**
 * o:m(...) method lookup: own key, then the class table one `__index` away (the usual
 * `Class.__index = Class` pattern), then $indexStr for everything else.
 */
export function getMethodFast(
  self: JsNode,
  key: string,
  desc: JsNode[],
  ctx: LowerContext,
  at?: any,
): JsNode {
  const v = ctx.fn.temp();
  const cls = ctx.fn.temp();
  const own = field(strsOf(self), key);
  const viaIndex = b.cond(
    b.logical(
      "&&",
      defined(b.member(self, "metatable")),
      b.binary(
        "instanceof",
        b.assign(cls, field(strsOf(b.member(self, "metatable")), "__index")),
        ctx.helper("LuaTable"),
      ),
    ),
    field(strsOf(cls), key),
    b.undef(),
  );
  const lookup = b.cond(isTable(self, ctx), b.logical("??", own, viaIndex), b.undef());
  const slow = slowAccess(ctx, "indexStr", [self, b.lit(key), ...desc], at);
  return b.cond(defined(b.assign(v, lookup)), v, slow);
}

/** t[i] for an index known to be a number: the array part inline, then $index. */
export function getNumFast(
  obj: JsNode,
  simple: boolean,
  idx: JsNode,
  desc: JsNode[],
  ctx: LowerContext,
  at?: any,
): JsNode {
  const { ref, setup } = once(obj, simple, ctx);
  const v = ctx.fn.temp();
  const slot = idx.type === "Literal" ? b.lit((idx.value as number) - 1) : b.binary("-", idx, b.lit(1));
  const fast = b.logical("&&", isTable(ref, ctx), defined(b.assign(v, b.index(b.member(ref, "arr"), slot))));
  const slow = slowAccess(ctx, "index", [ref, idx, ...desc], at);
  return b.seq([...setup, b.cond(fast, v, slow)]);
}

/**
 * t.key = value: stored inline when the key exists (a metatable cannot intercept then) or
 * the table has no metatable and its own string store and the value is not nil (a nil stored
 * for a missing key must not create it: its position in the key order comes from its first
 * non-nil store, table.ts setStr); otherwise $setIndex.
 */
export function setStrFast(
  obj: JsNode,
  simple: boolean,
  key: string,
  value: JsNode,
  desc: JsNode[],
  ctx: LowerContext,
  at?: any,
): JsNode {
  const { ref, setup } = once(obj, simple, ctx);
  const val = ctx.fn.temp();
  const strs = ctx.fn.temp();
  const exists = defined(field(b.assign(strs, strsOf(ref)), key));
  const open = b.logical(
    "&&",
    b.binary("===", b.member(ref, "metatable"), b.undef()),
    b.binary("!==", strs, ctx.helper("EMPTY_STRS")),
  );
  const fast = b.logical(
    "&&",
    isTable(ref, ctx),
    b.logical("||", exists, b.logical("&&", open, defined(val))),
  );
  const store = b.assign(field(strs, key), val);
  const slow = slowAccess(ctx, "setIndex", [ref, b.lit(key), val, ...desc], at);
  return b.seq([...setup, b.assign(val, value), b.cond(fast, store, slow)]);
}

/**
 * { x = 1, y = f() } with string keys: the table's string store is filled inline, in source
 * order, then its JSON serializer (lower/serializers.ts) is installed, if it has one.
 */
/**
 * A `key = value` store of a constructor (planned by tables.ts), in source order:
 * - "always": store the value (it is never nil);
 * - "ifDefined": store it unless it is nil (a nil creates no key, so takes no place in the order);
 * - "final": the key's last word, which may be nil: store it if it is not nil or the key exists.
 */
export interface StrField {
  key: string;
  value: JsNode;
  store: "always" | "ifDefined" | "final";
}

export function tableWithStrs(
  items: JsNode | null,
  fields: StrField[],
  ctx: LowerContext,
  at?: any,
  serializer: JsNode | null = null,
): JsNode {
  const t = ctx.fn.temp();
  const s = ctx.fn.temp();
  const create = b.newExpr(ctx.helper("LuaTable"), items === null ? [] : [items], at);
  const out: JsNode[] = [
    b.assign(t, create),
    b.assign(s, b.assign(strsOf(t), b.call(ctx.helper("newStrs"), []))),
  ];
  for (const { key, value, store } of fields) {
    if (store === "always") {
      out.push(b.assign(field(s, key), value));
      continue;
    }
    const x = ctx.fn.temp();
    const set = defined(b.assign(x, value));
    const test = store === "final" ? b.logical("||", set, defined(field(s, key))) : set;
    out.push(b.logical("&&", test, b.assign(field(s, key), x)));
  }
  if (serializer !== null) out.push(b.assign(b.member(t, "serializer"), serializer));
  out.push(t);
  return b.seq(out);
}
