// Lua functions become JS function expressions: fixed parameters stay positional, `...`
// becomes a rest parameter `$va`, temporaries are declared at the top, and a body that can
// fall off its end returns EMPTY (zero values). The JS name encodes the Lua name
// (`api.users.get` -> `L$api$users$get`) so tracebacks can show the Lua name.
import type * as L from "../lua-ast.ts";
import * as b from "./builders.ts";
import type { JsNode } from "./builders.ts";
import type { LowerContext } from "./context.ts";
import { lowerStatements } from "./statements.ts";

/** Encodes a Lua function name for the JS function's name: dots become `$`, `:` becomes `$$`. */
export function jsFunctionName(luaName: string | null): string | null {
  if (luaName === null) return null;
  return "L$" + luaName.replace(/:/g, "$$$$").replace(/\./g, "$$");
}

export function lowerFunction(
  node: L.FunctionDeclaration,
  ctx: LowerContext,
  luaName: string | null,
  isMethod = false,
): JsNode {
  if (!ctx.coroutines) return lowerBody(node, ctx, luaName, isMethod, false);
  // Coroutine apps: the plain version for ordinary calls, the generator one for calls
  // made inside a coroutine (runtime/lua/coroutine.ts). $withGenerator links them.
  const outer = ctx.genMode;
  const plain = lowerBody(node, ctx, luaName, isMethod, false);
  const gen = lowerBody(node, ctx, luaName === null ? null : luaName + "$g", isMethod, true);
  ctx.genMode = outer;
  return b.call(ctx.helper("withGenerator"), [plain, gen], node);
}

function lowerBody(
  node: L.FunctionDeclaration,
  ctx: LowerContext,
  luaName: string | null,
  isMethod: boolean,
  generator: boolean,
): JsNode {
  ctx.genMode = generator;
  const hasVararg = node.parameters.some((p) => p.type === "VarargLiteral");
  const fn = ctx.pushFunction(hasVararg);
  const saved = ctx.swapFunctionState(null);
  const params: JsNode[] = [];
  if (isMethod) params.push(b.id(ctx.declare("self").jsName));
  for (const p of node.parameters) {
    if (p.type === "Identifier") params.push(b.id(ctx.declare(p.name).jsName, p));
  }
  if (hasVararg) params.push(b.restParam("$va"));
  const body = lowerStatements(node.body, ctx);
  if (!endsWithReturn(node.body)) body.push(b.ret(ctx.helper("EMPTY")));
  ctx.swapFunctionState(saved);
  ctx.pop();
  if (fn.tempCount > 0) {
    const temps: [string, null][] = [];
    for (let i = 1; i <= fn.tempCount; i++) temps.push(["$t" + i, null]);
    body.unshift(b.letDecl(temps));
  }
  const out = b.fnExpr(jsFunctionName(luaName), params, body, node);
  if (generator) out.generator = true;
  return out;
}

function endsWithReturn(body: L.Statement[]): boolean {
  return body.length > 0 && body[body.length - 1].type === "ReturnStatement";
}

/** The Lua name of `function a.b:c()` as written. */
export function declaredName(id: L.Identifier | L.MemberExpression | null): string | null {
  if (id === null) return null;
  if (id.type === "Identifier") return id.name;
  const base =
    id.base.type === "Identifier" || id.base.type === "MemberExpression" ? declaredName(id.base) : null;
  return base === null ? null : base + id.indexer + id.identifier.name;
}
