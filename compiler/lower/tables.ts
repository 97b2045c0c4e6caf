// Table constructors. LuaJIT builds one in two steps: the fields whose key and value are
// constants (literals, and what its parser folds: -1, 1 + 1, not true) go into a template
// first, in source order; every other field is stored afterwards, in source order, the
// multi-valued last item at the very end. So where keys repeat, a computed store wins over a
// constant one ({ k = x, k = 1 } has k = x; { "a", [1] = x } has t[1] = x). Rover gives each
// key LuaJIT's final value while keeping source order for everything else: values are
// evaluated in source order, and a key's place in the key order (pairs, JSON) is that of its
// first non-nil store in the source.
import type * as L from "../lua-ast.ts";
import * as b from "./builders.ts";
import type { JsNode } from "./builders.ts";
import type { LowerContext } from "./context.ts";
import { isMultiValued, lowerExpr, lowerSpread } from "./expressions.ts";
import { tableWithStrs, type StrField } from "./fast-paths.ts";
import { serializerFor } from "./serializers.ts";

type Nilness = "never" | "always" | "maybe";

/**
 * One field as stored: a string key, or any other key as JS (a positional item's is its
 * index); its value; whether key and value are both constants.
 */
type Store =
  | { str: string; value: JsNode; constant: boolean; nil: Nilness }
  | { str: null; key: JsNode; value: JsNode; constant: boolean; item: boolean };

export function lowerTable(e: L.TableConstructorExpression, ctx: LowerContext): JsNode {
  // Values run in source order; the builders below store in template order, and the
  // positional items of a string-keyed table are built first: when that could be observed,
  // evaluate into temporaries first.
  const positional = e.fields.some((f) => f.type === "TableValue");
  const keyed = e.fields.some((f) => f.type !== "TableValue");
  const inOrder =
    positional &&
    keyed &&
    e.fields.some((f) => !isPure(f.value) || (f.type === "TableKey" && !isPure(f.key)));
  const setup: JsNode[] = [];
  const value = (x: JsNode, source: L.Expression): JsNode => {
    if (!inOrder || isConstant(source)) return x;
    const t = ctx.fn.temp();
    setup.push(b.assign(t, x));
    return t;
  };
  const items: JsNode[] = [];
  const stores: Store[] = [];
  let tail: JsNode | null = null;
  e.fields.forEach((f, i) => {
    if (f.type === "TableValue") {
      if (i === e.fields.length - 1 && isMultiValued(f.value, ctx)) {
        tail = value(lowerSpread(f.value, ctx), f.value);
        return;
      }
      const v = value(lowerExpr(f.value, ctx), f.value);
      items.push(v);
      stores.push({
        str: null,
        key: b.lit(items.length),
        value: v,
        constant: isConstant(f.value),
        item: true,
      });
    } else if (f.type === "TableKeyString" || f.key.type === "StringLiteral") {
      const str = f.type === "TableKeyString" ? f.key.name : (f.key as L.StringLiteral).value;
      const v = value(lowerExpr(f.value, ctx), f.value);
      stores.push({ str, value: v, constant: isConstant(f.value), nil: nilness(f.value) });
    } else {
      const key = value(lowerExpr(f.key, ctx), f.key);
      const v = value(lowerExpr(f.value, ctx), f.value);
      stores.push({
        str: null,
        key,
        value: v,
        constant: isConstant(f.key) && isConstant(f.value),
        item: false,
      });
    }
  });
  let built: JsNode;
  if (!keyed) {
    const all = tail === null ? items : [...items, b.spreadEl(tail)];
    built = b.newExpr(ctx.helper("LuaTable"), all.length === 0 ? [] : [b.array(all)], e);
  } else if (stores.every((s) => s.str !== null || s.item)) {
    // String keys only, besides positional items (which no string key can meet).
    const all = tail === null ? items : [...items, b.spreadEl(tail)];
    const strs = stores.filter((s): s is Extract<Store, { str: string }> => s.str !== null);
    const serializer = items.length === 0 && tail === null ? serializerFor(e, ctx) : null;
    built = tableWithStrs(all.length === 0 ? null : b.array(all), planStrStores(strs), ctx, e, serializer);
  } else {
    // Keys known only at run time: tableOf applies the stores in source order, then again in
    // LuaJIT's order when that can differ (constant and computed fields both present).
    const flat = stores.flatMap((s) => [s.str === null ? s.key : b.lit(s.str), s.value]);
    const mixed = stores.some((s) => s.constant) && stores.some((s) => !s.constant);
    const args = [
      b.array(flat),
      mixed ? b.lit(stores.map((s) => (s.constant ? "c" : "-")).join("")) : b.undef(),
    ];
    if (tail !== null) args.push(tail, b.lit(items.length + 1));
    built = b.call(ctx.helper("tableOf"), args, e);
  }
  return setup.length === 0 ? built : b.seq([...setup, built]);
}

/**
 * The stores of string keys, in source order. A key's winning field is its last computed one,
 * else its last constant one (LuaJIT's template order); constant fields after the winner are
 * dropped (a constant has no effect to keep), earlier ones only give the key its place.
 */
function planStrStores(stores: Extract<Store, { str: string }>[]): StrField[] {
  const winner = new Map<string, number>();
  stores.forEach((s, i) => {
    const w = winner.get(s.str);
    if (w === undefined || !s.constant || stores[w].constant) winner.set(s.str, i);
  });
  const out: StrField[] = [];
  stores.forEach((s, i) => {
    const w = winner.get(s.str)!;
    if (i > w || (s.nil === "always" && i < w)) return;
    const repeated = stores.some((o, j) => j !== i && o.str === s.str);
    const store = s.nil === "never" ? "always" : i === w && repeated ? "final" : "ifDefined";
    if (s.nil === "always" && store === "ifDefined") return; // a lone nil: no key
    out.push({ key: s.str, value: s.value, store });
  });
  return out;
}

/** Expressions whose evaluation has no effect and cannot fail: order does not matter for them. */
function isPure(e: L.Expression): boolean {
  return isConstant(e) || e.type === "Identifier" || e.type === "FunctionDeclaration";
}

/**
 * A constant as LuaJIT's parser sees one: a literal, or what it folds, `-x`, `not x` and
 * arithmetic on constant numbers (not to NaN or -0, which it keeps out of constants).
 */
export function isConstant(e: L.Expression): boolean {
  return constantValue(e) !== NOT_CONSTANT;
}

const NOT_CONSTANT = Symbol("not constant");

function constantValue(e: L.Expression): unknown {
  switch (e.type) {
    case "NilLiteral":
      return undefined;
    case "BooleanLiteral":
    case "NumericLiteral":
    case "StringLiteral":
      return e.value;
    case "UnaryExpression": {
      const v = constantValue(e.argument);
      if (v === NOT_CONSTANT) return NOT_CONSTANT;
      if (e.operator === "not") return v === undefined || v === false;
      if (e.operator === "-" && typeof v === "number") return folded(-v);
      return NOT_CONSTANT;
    }
    case "BinaryExpression": {
      const a = constantValue(e.left);
      const c = constantValue(e.right);
      if (typeof a !== "number" || typeof c !== "number") return NOT_CONSTANT;
      switch (e.operator) {
        case "+":
          return folded(a + c);
        case "-":
          return folded(a - c);
        case "*":
          return folded(a * c);
        case "/":
          return folded(a / c);
        case "%":
          return folded(a - Math.floor(a / c) * c);
        case "^":
          return folded(Math.pow(a, c));
        default:
          return NOT_CONSTANT;
      }
    }
    default:
      return NOT_CONSTANT;
  }
}

function folded(n: number): number | typeof NOT_CONSTANT {
  return n !== n || Object.is(n, -0) ? NOT_CONSTANT : n;
}

/**
 * Whether an expression's value is nil: never (non-nil constants, operators other than and/or,
 * constructors, functions; an arithmetic metamethod returning nil only leaves a reserved key),
 * always, or maybe.
 */
function nilness(e: L.Expression): Nilness {
  if (isConstant(e)) return constantValue(e) === undefined ? "always" : "never";
  switch (e.type) {
    case "TableConstructorExpression":
    case "FunctionDeclaration":
    case "BinaryExpression":
    case "UnaryExpression":
      return "never";
    default:
      return "maybe";
  }
}
