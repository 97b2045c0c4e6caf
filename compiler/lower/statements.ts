// Lowering of Lua statements to ESTree. Blocks map to JS blocks; locals to `let`; loops to
// JS loops with Lua's rules (numeric-for bounds evaluated once, a fresh local per iteration,
// repeat-until seeing the body's locals); multiple assignment goes through temporaries.
// goto/labels are handled in gotos.ts.
import type * as L from "../lua-ast.ts";
import * as b from "./builders.ts";
import type { JsNode } from "./builders.ts";
import type { LowerContext } from "./context.ts";
import {
  describe,
  isKnownNumber,
  isLocal,
  isMultiValued,
  lowerCall,
  lowerCondition,
  lowerExpr,
  lowerExprList,
  lowerResult,
  lowerSpread,
} from "./expressions.ts";
import { declaredName, lowerFunction } from "./functions.ts";
import { lowerGoto, withLabels } from "./gotos.ts";
import { setStrFast, slowAccess } from "./fast-paths.ts";

/** Lowers statements into the current scope (the caller opens the block scope). */
export function lowerStatements(stmts: L.Statement[], ctx: LowerContext): JsNode[] {
  return withLabels(stmts, ctx, (s) => lowerStatement(s, ctx));
}

function lowerBlock(stmts: L.Statement[], ctx: LowerContext, prefix: JsNode[] = []): JsNode {
  ctx.pushBlock();
  const body = lowerStatements(stmts, ctx);
  ctx.pop();
  return b.block([...prefix, ...body]);
}

function withComment(node: JsNode, s: L.Statement, ctx: LowerContext): JsNode {
  if (ctx.lineComments) {
    node.comments = [{ type: "Line", value: ` ${ctx.src.chunkName}:${s.loc.start.line}` }];
  }
  return node;
}

export function lowerStatement(s: L.Statement, ctx: LowerContext): JsNode[] {
  const out = lowerStatementRaw(s, ctx);
  if (out.length > 0) withComment(out[0], s, ctx);
  return out;
}

function lowerStatementRaw(s: L.Statement, ctx: LowerContext): JsNode[] {
  switch (s.type) {
    case "LocalStatement":
      return lowerLocal(s, ctx);
    case "AssignmentStatement":
      return lowerAssignment(s, ctx);
    case "CallStatement":
      return [b.exprStmt(lowerCall(s.expression, ctx), s)];
    case "FunctionDeclaration":
      return lowerFunctionStatement(s, ctx);
    case "ReturnStatement":
      return [b.ret(lowerReturnValue(s.arguments, ctx), s)];
    case "IfStatement":
      return [lowerIf(s, ctx)];
    case "WhileStatement":
      return [ctx.loop(() => b.whileStmt(lowerCondition(s.condition, ctx), lowerBlock(s.body, ctx), s))];
    case "RepeatStatement":
      return [ctx.loop(() => lowerRepeat(s, ctx))];
    case "DoStatement":
      return [lowerBlock(s.body, ctx)];
    case "ForNumericStatement":
      return [ctx.loop(() => lowerNumericFor(s, ctx))];
    case "ForGenericStatement":
      return [ctx.loop(() => lowerGenericFor(s, ctx))];
    case "BreakStatement":
      return [ctx.breakLoop(s)];
    case "GotoStatement":
      return [lowerGoto(s, ctx)];
    case "LabelStatement":
      return [];
  }
}

/** The JS value of a return list: one value, a Multi, or EMPTY. */
export function lowerReturnValue(args: L.Expression[], ctx: LowerContext): JsNode {
  if (args.length === 0) return ctx.helper("EMPTY");
  const last = args[args.length - 1];
  if (args.length === 1) return isMultiValued(last, ctx) ? lowerResult(last, ctx) : lowerExpr(last, ctx);
  if (isMultiValued(last, ctx)) {
    const head = args.slice(0, -1).map((a) => lowerExpr(a, ctx));
    if (last.type === "VarargLiteral") {
      return b.newExpr(ctx.helper("Multi"), [b.array([...head, b.spreadEl(b.id("$va"))])]);
    }
    return b.call(ctx.helper("multiTail"), [b.array(head), lowerResult(last, ctx)]);
  }
  return b.newExpr(ctx.helper("Multi"), [b.array(args.map((a) => lowerExpr(a, ctx)))]);
}

/**
 * Values for n targets from an expression list, adjusted as Lua does: missing values are
 * nil, extra expressions are evaluated and dropped, a final call or `...` fills the rest.
 * Returns setup statements and one JS expression per target.
 */
function adjustValues(
  init: L.Expression[],
  n: number,
  ctx: LowerContext,
): { setup: JsNode[]; values: JsNode[] } {
  const setup: JsNode[] = [];
  const values: JsNode[] = [];
  init.forEach((e, i) => {
    const isLast = i === init.length - 1;
    if (isLast && isMultiValued(e, ctx) && i < n) {
      const need = n - i;
      if (need === 1) {
        values.push(lowerExpr(e, ctx));
      } else {
        // The earlier expressions run before the call that fills the rest (left to right).
        hoist(values, setup, ctx);
        const t = ctx.fn.temp();
        setup.push(b.exprStmt(b.assign(t, lowerSpread(e, ctx))));
        for (let k = 0; k < need; k++) values.push(b.index(t, b.lit(k)));
      }
    } else if (i < n) {
      values.push(lowerExpr(e, ctx));
    } else {
      // An extra expression runs after the kept ones: those go through temporaries first.
      if (i === n) hoist(values, setup, ctx);
      const extra = isMultiValued(e, ctx) ? lowerResult(e, ctx) : lowerExpr(e, ctx);
      setup.push(b.exprStmt(extra));
    }
  });
  while (values.length < n) values.push(b.undef());
  return { setup, values };
}

/** Evaluates the values so far into temporaries, in order, so later expressions run after them. */
function hoist(values: JsNode[], setup: JsNode[], ctx: LowerContext): void {
  for (let k = 0; k < values.length; k++) {
    const t = ctx.fn.temp();
    setup.push(b.exprStmt(b.assign(t, values[k])));
    values[k] = t;
  }
}

function lowerLocal(s: L.LocalStatement, ctx: LowerContext): JsNode[] {
  const n = s.variables.length;
  // Every right-hand side is evaluated before the new locals come into scope (`local x = x`).
  const { setup, values } = adjustValues(s.init, n, ctx);
  const decls = s.variables.map((v, i): [string, JsNode | null] => [
    ctx.declare(v.name, ctx.numericLocals.has(v), v).jsName,
    s.init.length === 0 ? null : values[i],
  ]);
  return [...setup, b.letDecl(decls, "let", s)];
}

type Target = L.Identifier | L.MemberExpression | L.IndexExpression;

function assignTo(target: Target, value: JsNode, ctx: LowerContext, obj?: JsNode, key?: JsNode): JsNode {
  if (target.type === "Identifier") {
    const bnd = ctx.lookup(target.name);
    if (bnd !== undefined) return b.exprStmt(b.assign(b.id(bnd.jsName), value, target), target);
    return b.exprStmt(
      b.call(ctx.helper("setIndex"), [b.id("$G"), b.lit(target.name), value], target),
      target,
    );
  }
  const d = describe(target.base, ctx);
  const desc = d === undefined ? [] : [b.lit(d)];
  const o = obj ?? lowerExpr(target.base, ctx);
  const simple = obj !== undefined || isLocal(target.base, ctx);
  const constKey =
    target.type === "MemberExpression"
      ? target.identifier.name
      : target.index.type === "StringLiteral"
        ? target.index.value
        : null;
  if (constKey !== null) return b.exprStmt(setStrFast(o, simple, constKey, value, desc, ctx, target), target);
  const k = key ?? lowerExpr((target as L.IndexExpression).index, ctx);
  return b.exprStmt(slowAccess(ctx, "setIndex", [o, k, value, ...desc], target), target);
}

/** `t[#t + 1] = v` with t a local: the append idiom, one helper call. */
function isAppend(target: Target, ctx: LowerContext): target is L.IndexExpression {
  if (target.type !== "IndexExpression" || !isLocal(target.base, ctx)) return false;
  const i = target.index;
  return (
    i.type === "BinaryExpression" &&
    i.operator === "+" &&
    i.right.type === "NumericLiteral" &&
    i.right.value === 1 &&
    i.left.type === "UnaryExpression" &&
    i.left.operator === "#" &&
    i.left.argument.type === "Identifier" &&
    i.left.argument.name === (target.base as L.Identifier).name
  );
}

function lowerAssignment(s: L.AssignmentStatement, ctx: LowerContext): JsNode[] {
  const single = s.variables.length === 1 && s.init.length === 1 ? s.variables[0] : null;
  if (single !== null && !ctx.genMode && isAppend(single, ctx)) {
    const t = lowerExpr(single.base, ctx);
    const d = describe(single.base, ctx);
    const args = [t, lowerExpr(s.init[0], ctx), ...(d === undefined ? [] : [b.lit(d)])];
    return [b.exprStmt(b.call(ctx.helper("append"), args, single), s)];
  }
  if (s.variables.length === 1 && s.init.length === 1) {
    return [assignTo(s.variables[0], lowerExpr(s.init[0], ctx), ctx)];
  }
  // a, b = b, a: table and key expressions first, then every value, then the stores.
  const out: JsNode[] = [];
  const places = s.variables.map((v) => {
    if (v.type === "Identifier") return { v, obj: undefined, key: undefined };
    const obj = ctx.fn.temp();
    out.push(b.exprStmt(b.assign(obj, lowerExpr(v.base, ctx))));
    let key: JsNode;
    if (v.type === "MemberExpression") key = b.lit(v.identifier.name);
    else {
      key = ctx.fn.temp();
      out.push(b.exprStmt(b.assign(key, lowerExpr(v.index, ctx))));
    }
    return { v, obj, key };
  });
  const { setup, values } = adjustValues(s.init, s.variables.length, ctx);
  out.push(...setup);
  const temps = values.map((val) => {
    const t = ctx.fn.temp();
    out.push(b.exprStmt(b.assign(t, val)));
    return t;
  });
  // LuaJIT stores right to left (t.x, t.x = 1, 2 leaves 1).
  for (let i = places.length - 1; i >= 0; i--)
    out.push(assignTo(places[i].v, temps[i], ctx, places[i].obj, places[i].key));
  return out;
}

function lowerFunctionStatement(s: L.FunctionDeclaration, ctx: LowerContext): JsNode[] {
  const name = declaredName(s.identifier);
  if (s.isLocal && s.identifier?.type === "Identifier") {
    // local function f: f is in scope inside its own body (recursion).
    const bnd = ctx.declare(s.identifier.name);
    return [b.letDecl([[bnd.jsName, lowerFunction(s, ctx, name)]], "let", s)];
  }
  const target = s.identifier!;
  const isMethod = target.type === "MemberExpression" && target.indexer === ":";
  const fn = lowerFunction(s, ctx, name, isMethod);
  if (target.type === "MemberExpression" && isMethod) {
    const asField: L.MemberExpression = { ...target, indexer: "." };
    return [assignTo(asField, fn, ctx)];
  }
  return [assignTo(target, fn, ctx)];
}

function lowerIf(s: L.IfStatement, ctx: LowerContext): JsNode {
  let result: JsNode | null = null;
  for (let i = s.clauses.length - 1; i >= 0; i--) {
    const c = s.clauses[i];
    if (c.type === "ElseClause") result = lowerBlock(c.body, ctx);
    else result = b.ifStmt(lowerCondition(c.condition, ctx), lowerBlock(c.body, ctx), result, c);
  }
  return result!;
}

/** repeat body until cond  ->  while (true) { body; if (cond) break; } (cond sees body locals). */
function lowerRepeat(s: L.RepeatStatement, ctx: LowerContext): JsNode {
  ctx.pushBlock();
  const body = lowerStatements(s.body, ctx);
  const until = lowerCondition(s.condition, ctx);
  ctx.pop();
  body.push(b.ifStmt(until, b.breakStmt(ctx.currentLoopLabel()), null));
  return b.whileStmt(b.lit(true), b.block(body), s);
}

/**
 * for i = a, b, c: bounds and step are evaluated once and coerced to numbers; the loop
 * runs while (step >= 0 ? i <= b : i >= b) as LuaJIT's FORL does. When the body assigns i,
 * it gets a copy so the assignment cannot change the iteration.
 */
function lowerNumericFor(s: L.ForNumericStatement, ctx: LowerContext): JsNode {
  const n = ctx.uniqueName("$for");
  const [iv, lim, st] = [n + "i", n + "e", n + "s"];
  const num = (e: L.Expression, what: string) =>
    isKnownNumber(e, ctx)
      ? lowerExpr(e, ctx)
      : b.call(ctx.helper("forNum"), [lowerExpr(e, ctx), b.lit(what)], e);
  const init = b.letDecl([
    [iv, num(s.start, "initial value")],
    [lim, num(s.end, "limit")],
  ]);
  let test: JsNode;
  const stepLiteral =
    s.step === null
      ? 1
      : s.step.type === "NumericLiteral"
        ? s.step.value
        : s.step.type === "UnaryExpression" &&
            s.step.operator === "-" &&
            s.step.argument.type === "NumericLiteral"
          ? -s.step.argument.value
          : null;
  if (stepLiteral !== null) {
    test = b.binary(stepLiteral >= 0 ? "<=" : ">=", b.id(iv), b.id(lim));
  } else {
    init.declarations.push({ type: "VariableDeclarator", id: b.id(st), init: num(s.step!, "step") });
    test = b.cond(
      b.binary(">=", b.id(st), b.lit(0)),
      b.binary("<=", b.id(iv), b.id(lim)),
      b.binary(">=", b.id(iv), b.id(lim)),
    );
  }
  const update = {
    type: "AssignmentExpression",
    operator: "+=",
    left: b.id(iv),
    right: stepLiteral !== null ? b.lit(stepLiteral) : b.id(st),
  };
  ctx.pushBlock();
  const bnd = ctx.declare(s.variable.name, ctx.numericLocals.has(s.variable));
  const body = lowerStatements(s.body, ctx);
  ctx.pop();
  body.unshift(b.letDecl([[bnd.jsName, b.id(iv)]]));
  return b.forStmt(init, test, update, b.block(body), s);
}

/** for k, v in explist: a stepper object from the runtime drives the loop (iterate.ts). */
function lowerGenericFor(s: L.ForGenericStatement, ctx: LowerContext): JsNode {
  const it = ctx.uniqueName("$it");
  let stepper: JsNode;
  if (s.iterators.length === 1 && isMultiValued(s.iterators[0], ctx)) {
    stepper = b.call(ctx.helper("forIteratorOf"), [lowerResult(s.iterators[0], ctx)]);
  } else {
    const args = lowerExprList(s.iterators, ctx);
    stepper = b.call(ctx.helper("forIteratorList"), [b.array(args)]);
  }
  ctx.pushBlock();
  const decls = s.variables.map((v, i): [string, JsNode] => [
    ctx.declare(v.name, ctx.numericLocals.has(v)).jsName,
    i === 0
      ? b.member(b.id(it), "a")
      : i === 1
        ? b.member(b.id(it), "b")
        : b.call(b.member(b.id(it), "at"), [b.lit(i)]),
  ]);
  const body = lowerStatements(s.body, ctx);
  ctx.pop();
  body.unshift(b.letDecl(decls));
  // Inside a coroutine the iterator function may yield: step through its generator version.
  const test = ctx.genMode
    ? { type: "YieldExpression", delegate: true, argument: b.call(b.member(b.id(it), "stepG"), []) }
    : b.call(b.member(b.id(it), "step"), []);
  return b.forStmt(b.letDecl([[it, stepper]], "const"), test, null, b.block(body), s);
}
