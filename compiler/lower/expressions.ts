// Lowering of Lua expressions to ESTree. Three entry points, by context:
//  lowerExpr      one value (calls are adjusted with $first),
//  lowerResult    a call or `...` whose every value is kept (a value or a Multi),
//  lowerCondition a JS boolean, for if/while/until and `not`, so comparisons and
//                 and/or in conditions need no truthiness helper.
import type * as L from "../lua-ast.ts";
import * as b from "./builders.ts";
import type { JsNode } from "./builders.ts";
import type { LowerContext } from "./context.ts";
import { lowerFunction } from "./functions.ts";
import { getMethodFast, getNumFast, getStrFast, slowAccess } from "./fast-paths.ts";
import { lowerTable } from "./tables.ts";
import { lowerGuardCall } from "./guard-calls.ts";

const ARITH: Record<string, string> = {
  "+": "add",
  "-": "sub",
  "*": "mul",
  "/": "div",
  "%": "mod",
  "^": "pow",
};

export function isMultiValued(e: L.Expression, ctx: LowerContext): boolean {
  const t = e.type;
  if (
    t !== "CallExpression" &&
    t !== "StringCallExpression" &&
    t !== "TableCallExpression" &&
    t !== "VarargLiteral"
  ) {
    return false;
  }
  return !isParenthesized(e, ctx);
}

/**
 * luaparse drops parentheses, but `(f())` truncates to one value. A multi-valued
 * expression is parenthesized when a `(` right before it is not a call's argument list.
 */
function isParenthesized(e: L.Expression, ctx: LowerContext): boolean {
  const text = ctx.src.text;
  let i = e.range[0] - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  if (text[i] !== "(") return false;
  let j = e.range[1];
  while (j < text.length && /\s/.test(text[j])) j++;
  if (text[j] !== ")") return false;
  let k = i - 1;
  while (k >= 0 && /\s/.test(text[k])) k--;
  const before = text[k];
  if (before === undefined) return true;
  if (before === ")" || before === "]" || before === "}" || before === '"' || before === "'") return false;
  if (/[A-Za-z0-9_]/.test(before)) {
    let s = k;
    while (s >= 0 && /[A-Za-z0-9_]/.test(text[s])) s--;
    const word = text.slice(s + 1, k + 1);
    return KEYWORDS.has(word);
  }
  return true;
}

const KEYWORDS = new Set(
  "and break do else elseif end false for function goto if in local nil not or repeat return then true until while".split(
    " ",
  ),
);

/** How LuaJIT names an operand in error messages: "local 'x'", "global 'x'", "field 'x'". */
export function describe(e: L.Expression, ctx: LowerContext): string | undefined {
  switch (e.type) {
    case "Identifier": {
      const bnd = ctx.lookup(e.name);
      if (bnd === undefined) return `global '${e.name}'`;
      return bnd.fn === ctx.fn ? `local '${e.name}'` : `upvalue '${e.name}'`;
    }
    case "MemberExpression":
      return `field '${e.identifier.name}'`;
    case "IndexExpression":
      return e.index.type === "StringLiteral" ? `field '${e.index.value}'` : undefined;
    default:
      return undefined;
  }
}

export function descArg(e: L.Expression, ctx: LowerContext): JsNode[] {
  const d = describe(e, ctx);
  return d === undefined ? [] : [b.lit(d)];
}

/** True when the expression certainly evaluates to a number. */
export function isKnownNumber(e: L.Expression, ctx: LowerContext): boolean {
  switch (e.type) {
    case "NumericLiteral":
      return true;
    case "Identifier":
      return ctx.lookup(e.name)?.isNumber === true;
    case "UnaryExpression":
      return e.operator === "-" && isKnownNumber(e.argument, ctx);
    case "BinaryExpression":
      return e.operator in ARITH && isKnownNumber(e.left, ctx) && isKnownNumber(e.right, ctx);
    default:
      return false;
  }
}

function isConstantScalar(e: L.Expression): boolean {
  return (
    e.type === "NumericLiteral" ||
    e.type === "StringLiteral" ||
    e.type === "NilLiteral" ||
    e.type === "BooleanLiteral"
  );
}

/** Expressions whose JS form is a boolean already. */
function isBooleanValued(e: L.Expression): boolean {
  if (e.type === "BooleanLiteral") return true;
  if (e.type === "UnaryExpression") return e.operator === "not";
  if (e.type === "BinaryExpression") return ["==", "~=", "<", "<=", ">", ">="].includes(e.operator);
  if (e.type === "LogicalExpression") return isBooleanValued(e.left) && isBooleanValued(e.right);
  return false;
}

export function lowerExpr(e: L.Expression, ctx: LowerContext): JsNode {
  switch (e.type) {
    case "NilLiteral":
      return b.undef(e);
    case "BooleanLiteral":
      return b.lit(e.value, e);
    case "NumericLiteral":
      return b.lit(e.value, e);
    case "StringLiteral":
      return b.lit(e.value, e);
    case "VarargLiteral":
      return b.index(b.id("$va"), b.lit(0));
    case "Identifier":
      return lowerIdentifier(e, ctx);
    case "MemberExpression":
      return getStrFast(
        lowerExpr(e.base, ctx),
        isLocal(e.base, ctx),
        e.identifier.name,
        descArg(e.base, ctx),
        ctx,
        e,
      );
    case "IndexExpression":
      return lowerIndex(e, ctx);
    case "CallExpression":
    case "StringCallExpression":
    case "TableCallExpression":
      return b.call(ctx.helper("first"), [lowerCall(e, ctx)], e);
    case "FunctionDeclaration":
      return lowerFunction(e, ctx, null);
    case "TableConstructorExpression":
      return lowerTable(e, ctx);
    case "BinaryExpression":
      return lowerBinary(e, ctx);
    case "LogicalExpression":
      return lowerLogical(e, ctx);
    case "UnaryExpression":
      return lowerUnary(e, ctx);
  }
}

function lowerIdentifier(e: L.Identifier, ctx: LowerContext): JsNode {
  const bnd = ctx.lookup(e.name);
  if (bnd !== undefined) return b.id(bnd.jsName, e);
  // Globals live in the table $G: the same inline fast path as a field read.
  return getStrFast(b.id("$G"), true, e.name, [], ctx, e);
}

function lowerIndex(e: L.IndexExpression, ctx: LowerContext): JsNode {
  const obj = lowerExpr(e.base, ctx);
  if (e.index.type === "StringLiteral") {
    return getStrFast(obj, isLocal(e.base, ctx), e.index.value, descArg(e.base, ctx), ctx, e);
  }
  const simpleIndex = e.index.type === "NumericLiteral" || isLocal(e.index, ctx);
  if (simpleIndex && isKnownNumber(e.index, ctx)) {
    return getNumFast(obj, isLocal(e.base, ctx), lowerExpr(e.index, ctx), descArg(e.base, ctx), ctx, e);
  }
  return slowAccess(ctx, "index", [obj, lowerExpr(e.index, ctx), ...descArg(e.base, ctx)], e);
}

/** A local variable: reading it twice has no side effect and gives the same value. */
export function isLocal(e: L.Expression, ctx: LowerContext): boolean {
  return e.type === "Identifier" && ctx.lookup(e.name) !== undefined;
}

/** A call or `...` kept whole: evaluates to one value or a Multi. */
export function lowerResult(e: L.Expression, ctx: LowerContext): JsNode {
  if (e.type === "VarargLiteral") return b.call(ctx.helper("fromArray"), [b.id("$va")]);
  if (e.type === "CallExpression" || e.type === "StringCallExpression" || e.type === "TableCallExpression") {
    return lowerCall(e, ctx);
  }
  return lowerExpr(e, ctx);
}

/** A multi-valued expression as a JS array of its values. */
export function lowerSpread(e: L.Expression, ctx: LowerContext): JsNode {
  if (e.type === "VarargLiteral") return b.id("$va");
  return b.call(ctx.helper("spread"), [lowerCall(e as L.AnyCall, ctx)]);
}

/** Argument lists and table items: the last multi-valued expression is spread. */
export function lowerExprList(list: L.Expression[], ctx: LowerContext): JsNode[] {
  return list.map((e, i) =>
    i === list.length - 1 && isMultiValued(e, ctx) ? b.spreadEl(lowerSpread(e, ctx)) : lowerExpr(e, ctx),
  );
}

function callArgs(e: L.AnyCall): L.Expression[] {
  if (e.type === "CallExpression") return e.arguments;
  if (e.type === "StringCallExpression") return [e.argument];
  return [e.arguments];
}

/** f(args) -> $callable(f, "global 'f'")(args); o:m(args) -> method lookup with o evaluated once. */
export function lowerCall(e: L.AnyCall, ctx: LowerContext): JsNode {
  const aot = lowerGuardCall(e, ctx);
  if (aot !== null) return aot;
  const args = lowerExprList(callArgs(e), ctx);
  const base = e.base;
  if (base.type === "MemberExpression" && base.indexer === ":") {
    const name = base.identifier.name;
    const simple = base.base.type === "Identifier" && ctx.lookup(base.base.name) !== undefined;
    const objExpr = lowerExpr(base.base, ctx);
    const self = simple ? objExpr : ctx.fn.temp();
    const method = getMethodFast(self, name, descArg(base.base, ctx), ctx, base);
    const invoke = ctx.genMode
      ? yieldCall(ctx, [method, b.lit(`method '${name}'`), self, ...args], e)
      : b.call(b.call(ctx.helper("callable"), [method, b.lit(`method '${name}'`)], e), [self, ...args], e);
    return simple ? invoke : b.seq([b.assign(self, objExpr), invoke]);
  }
  if (ctx.genMode) {
    const d = describe(base, ctx);
    return yieldCall(ctx, [lowerExpr(base, ctx), d === undefined ? b.undef() : b.lit(d), ...args], e);
  }
  // The callable check carries the call's Lua position: "attempt to call" names this line.
  const fn = b.call(ctx.helper("callable"), [lowerExpr(base, ctx), ...descArg(base, ctx)], e);
  return b.call(fn, args, e);
}

/** Inside a generator version: `yield* $gcall(f, desc, ...args)` runs Lua callees as generators. */
function yieldCall(ctx: LowerContext, args: JsNode[], at: L.AnyCall): JsNode {
  return { type: "YieldExpression", delegate: true, argument: b.call(ctx.helper("gcall"), args, at) };
}

function lowerBinary(e: L.BinaryExpression, ctx: LowerContext): JsNode {
  const op = e.operator;
  const fast = isKnownNumber(e.left, ctx) && isKnownNumber(e.right, ctx);
  if (op in ARITH) {
    const l = lowerExpr(e.left, ctx);
    const r = lowerExpr(e.right, ctx);
    if (fast && op !== "%" && op !== "^") return b.binary(op, l, r, e);
    if (fast) return b.call(ctx.helper(op === "%" ? "modNum" : "powNum"), [l, r], e);
    const da = describe(e.left, ctx);
    const db = describe(e.right, ctx);
    const extra = db !== undefined ? [b.lit(da ?? null), b.lit(db)] : da !== undefined ? [b.lit(da)] : [];
    return b.call(ctx.helper(ARITH[op]), [l, r, ...extra], e);
  }
  if (op === "..") {
    const da = describe(e.left, ctx);
    const db = describe(e.right, ctx);
    const extra = db !== undefined ? [b.lit(da ?? null), b.lit(db)] : da !== undefined ? [b.lit(da)] : [];
    return b.call(ctx.helper("concat"), [lowerExpr(e.left, ctx), lowerExpr(e.right, ctx), ...extra], e);
  }
  const l = lowerExpr(e.left, ctx);
  const r = lowerExpr(e.right, ctx);
  switch (op) {
    case "==":
    case "~=": {
      const direct = fast || isConstantScalar(e.left) || isConstantScalar(e.right);
      if (direct) return b.binary(op === "==" ? "===" : "!==", l, r, e);
      const eq = b.call(ctx.helper("eq"), [l, r], e);
      return op === "==" ? eq : b.not(eq);
    }
    case "<":
    case "<=":
    case ">":
    case ">=":
      if (fast) return b.binary(op, l, r, e);
      return b.call(ctx.helper({ "<": "lt", "<=": "le", ">": "gt", ">=": "ge" }[op]), [l, r], e);
  }
  throw new Error(`unsupported binary operator ${op}`);
}

/** a and b / a or b keep Lua's value semantics: the result is one of the operands. */
function lowerLogical(e: L.LogicalExpression, ctx: LowerContext): JsNode {
  if (isBooleanValued(e.left)) {
    return b.logical(e.operator === "and" ? "&&" : "||", lowerExpr(e.left, ctx), lowerExpr(e.right, ctx));
  }
  const left = lowerExpr(e.left, ctx);
  const local = e.left.type === "Identifier" && ctx.lookup(e.left.name) !== undefined;
  const t = local ? left : ctx.fn.temp();
  const isTrue = b.logical("&&", b.binary("!==", t, b.undef()), b.binary("!==", t, b.lit(false)));
  const right = lowerExpr(e.right, ctx);
  const pick = e.operator === "and" ? b.cond(isTrue, right, t) : b.cond(isTrue, t, right);
  return local ? pick : b.seq([b.assign(t, left), pick]);
}

function lowerUnary(e: L.UnaryExpression, ctx: LowerContext): JsNode {
  switch (e.operator) {
    case "not":
      return b.not(lowerCondition(e.argument, ctx));
    case "-":
      if (e.argument.type === "NumericLiteral") return b.lit(-e.argument.value, e);
      if (isKnownNumber(e.argument, ctx))
        return { type: "UnaryExpression", operator: "-", prefix: true, argument: lowerExpr(e.argument, ctx) };
      return b.call(ctx.helper("unm"), [lowerExpr(e.argument, ctx), ...descArg(e.argument, ctx)], e);
    case "#":
      return b.call(ctx.helper("len"), [lowerExpr(e.argument, ctx), ...descArg(e.argument, ctx)], e);
    default:
      throw new Error(`unsupported unary operator ${e.operator}`);
  }
}

/** The expression as a JS boolean (Lua truthiness: only nil and false are false). */
export function lowerCondition(e: L.Expression, ctx: LowerContext): JsNode {
  if (isBooleanValued(e) && e.type !== "LogicalExpression") return lowerExpr(e, ctx);
  if (e.type === "LogicalExpression") {
    return b.logical(
      e.operator === "and" ? "&&" : "||",
      lowerCondition(e.left, ctx),
      lowerCondition(e.right, ctx),
    );
  }
  if (e.type === "NilLiteral") return b.lit(false);
  if (e.type === "NumericLiteral" || e.type === "StringLiteral") return b.lit(true);
  if (e.type === "Identifier" && ctx.lookup(e.name) !== undefined) {
    const v = lowerExpr(e, ctx);
    return b.logical("&&", b.binary("!==", v, b.undef()), b.binary("!==", v, b.lit(false)));
  }
  return b.call(ctx.helper("truthy"), [lowerExpr(e, ctx)]);
}
