// Guard calls whose schema is a literal (compiler/aot/guard-schema.ts finds them) lowered to a
// validator compiled at build time (guard-codegen.ts) instead of the run-time schema compiler:
//   body:expect{...}     -> ($guardIntact($G, g) ? $expectCompiled(body, V) : undefined) ?? <the ordinary method call>
//   rover.guard(d, {...}) -> $guardIntact($G, g) ? $guardCompiled(d, V) : <the ordinary call>
// (g: the local aliases of rover.guard the schema uses). The ordinary forms run when Lua code
// has patched the guard (guard.ts GuardSnapshot).
// V is `$tN ?? ($tN = function $validateK($data, $issues) {...})`: $tN is a temporary of the
// chunk's main function, so the validator is created once per Lua state, on first use, and
// shared by every call site of the same schema. Set ROVER_GUARD_AOT=0 to compile none.
import type * as L from "../lua-ast.ts";
import * as b from "./builders.ts";
import type { JsNode } from "./builders.ts";
import type { LowerContext } from "./context.ts";
import { describe, descArg, lowerExpr, lowerExprList } from "./expressions.ts";
import { parse } from "../parse.ts";
import { planGuardCalls, rangeKey, type GuardCallPlan } from "../aot/guard-schema.ts";
import { validatorFunction } from "../aot/guard-codegen.ts";
import { jsonAotEnabled } from "./serializers.ts";

let enabled = globalThis.process?.env?.ROVER_GUARD_AOT !== "0";

/** Turns build-time compilation of guard schemas on or off (tests compare both). */
export function setGuardAot(on: boolean): void {
  enabled = on;
}

interface ChunkGuards {
  plans: Map<string, GuardCallPlan>;
  /** schemaKey → the main-function temporary holding its validator, and the validator's name. */
  slots: Map<string, { slot: JsNode; name: string }>;
}

const byContext = new WeakMap<LowerContext, ChunkGuards>();

function guardsOf(ctx: LowerContext): ChunkGuards {
  let g = byContext.get(ctx);
  if (g === undefined) {
    // Most chunks have no guard call at all: skip the second parse for them.
    const text = ctx.src.text;
    const plans = /\bexpect\b|\bguard\b/.test(text) ? planGuardCalls(parse(ctx.src)) : new Map();
    g = { plans, slots: new Map() };
    byContext.set(ctx, g);
  }
  return g;
}

function argsOf(c: L.AnyCall): L.Expression[] {
  if (c.type === "CallExpression") return c.arguments;
  if (c.type === "TableCallExpression") return [c.arguments];
  return [c.argument];
}

/**
 * The compiled form of a guard call with a literal schema, or null for any other call (the
 * caller lowers it as usual). Generator versions (coroutines) keep the run-time path.
 */
export function lowerGuardCall(e: L.AnyCall, ctx: LowerContext): JsNode | null {
  if (!enabled || ctx.genMode) return null;
  const guards = guardsOf(ctx);
  const plan = guards.plans.get(rangeKey(e));
  if (plan === undefined) return null;
  // The guard aliases the schema goes through, as this call site sees them; a shadowed one
  // (a local of the same name in between) leaves the call to the run-time guard.
  const aliases: JsNode[] = [];
  for (const decl of plan.aliases) {
    const bnd = ctx.visibleBindingOf(decl);
    if (bnd === undefined) return null;
    aliases.push(b.id(bnd.jsName));
  }
  let entry = guards.slots.get(plan.schemaKey);
  if (entry === undefined) {
    entry = { slot: ctx.stateSlot(), name: ctx.uniqueName("$validate") };
    guards.slots.set(plan.schemaKey, entry);
  }
  const fn = validatorFunction(plan.spec, entry.name, (name) => ctx.helper(name), jsonAotEnabled());
  const validator = b.logical("??", entry.slot, b.assign(entry.slot, fn));
  const args = argsOf(e);
  if (plan.kind === "guard") {
    // In Lua's order: the guard called, then the data, then (run-time path only) the schema;
    // the check comes after the data, whose evaluation could patch the guard.
    const callee = ctx.fn.temp();
    const data = ctx.fn.temp();
    const check = b.call(ctx.helper("guardIntact"), [b.id("$G"), callee, ...aliases]);
    const compiled = b.call(ctx.helper("guardCompiled"), [data, validator], e);
    const ordinary = b.call(
      b.call(ctx.helper("callable"), [callee, ...descArg(e.base, ctx)], e),
      [data, lowerExpr(args[1], ctx)],
      e,
    );
    return b.seq([
      b.assign(callee, lowerExpr(e.base, ctx)),
      b.assign(data, lowerExpr(args[0], ctx)),
      b.cond(check, compiled, ordinary),
    ]);
  }
  // x:expect(schema): x once; a receiver that is not a request body with the built-in
  // expect takes the ordinary method call, schema evaluated as written.
  const base = e.base as L.MemberExpression;
  const simple = base.base.type === "Identifier" && ctx.lookup(base.base.name) !== undefined;
  const obj = lowerExpr(base.base, ctx);
  const self = simple ? obj : ctx.fn.temp();
  const d = describe(base.base, ctx);
  const method = b.call(ctx.helper("indexStr"), [
    self,
    b.lit("expect"),
    ...(d === undefined ? [] : [b.lit(d)]),
  ]);
  const ordinary = b.call(
    b.call(ctx.helper("callable"), [method, b.lit("method 'expect'")]),
    [self, ...lowerExprList(args, ctx)],
    e,
  );
  const intact = b.call(ctx.helper("guardIntact"), [b.id("$G"), ...aliases]);
  const attempt = b.cond(intact, b.call(ctx.helper("expectCompiled"), [self, validator], e), b.undef());
  const compiled = b.logical("??", attempt, ordinary);
  return simple ? compiled : b.seq([b.assign(self, obj), compiled]);
}
