// Table constructors that aot/json-shape.ts expects to be sent as JSON get a serializer
// generated at build time (aot/json-codegen.ts), installed on each table they create:
//   { id = id, name = name }  ->  ($t = new $LuaTable(), ..., $t.serializer = S, $t)
// S is `$tN ?? ($tN = function $serializeK($t, $d) {...})`, $tN a temporary of the chunk's main
// function: one serializer per constructor site and Lua state, created on first use. Set
// ROVER_JSON_AOT=0 to generate none (tests compare both).
import type * as L from "../lua-ast.ts";
import * as b from "./builders.ts";
import type { JsNode } from "./builders.ts";
import type { LowerContext } from "./context.ts";
import { rangeKey } from "../aot/guard-schema.ts";
import { constructorShape } from "../aot/json-shape.ts";
import { serializerFunction } from "../aot/json-codegen.ts";

let enabled = globalThis.process?.env?.ROVER_JSON_AOT !== "0";

/** Turns build-time serializers on or off (tests compare both). */
export function setJsonAot(on: boolean): void {
  enabled = on;
}

export function jsonAotEnabled(): boolean {
  return enabled;
}

const slotsByContext = new WeakMap<LowerContext, Map<string, JsNode>>();

/** The serializer expression for a constructor, or null when it gets none. */
export function serializerFor(e: L.TableConstructorExpression, ctx: LowerContext): JsNode | null {
  const key = rangeKey(e);
  if (!ctx.responseTables.has(key)) return null;
  const shape = constructorShape(e);
  if (shape === null) return null;
  let slots = slotsByContext.get(ctx);
  if (slots === undefined) slotsByContext.set(ctx, (slots = new Map()));
  // The generator version of a function lowers the same constructor again: same slot.
  let slot = slots.get(key);
  if (slot === undefined) slots.set(key, (slot = ctx.stateSlot()));
  const fn = serializerFunction(shape, ctx.uniqueName("$serialize"), (name) => ctx.helper(name));
  return b.logical("??", slot, b.assign(slot, fn));
}
