// Lowers a parsed Lua chunk to an ESTree Program: imports of the runtime helpers it used and
// `export default function (G, ...varargs)`, the chunk body as a JS function.
import type * as L from "../lua-ast.ts";
import type { SourceFile } from "../source.ts";
import * as b from "./builders.ts";
import type { JsNode } from "./builders.ts";
import { LowerContext } from "./context.ts";
import { lowerStatements } from "./statements.ts";
import { findNumericLocals } from "../analyse/numeric.ts";
import { planResponseTables } from "../aot/json-shape.ts";
import { jsonAotEnabled } from "./serializers.ts";
import type { Diagnostic } from "../diagnostics.ts";

export interface LowerOptions {
  /** Module specifier the helpers are imported from. */
  runtimeImport: string;
  /** Add `// chunk:line` comments above statements (rover inspect). */
  lineComments?: boolean;
  /** The app uses coroutines: emit generator versions of functions. */
  coroutines?: boolean;
  /**
   * "module" (default): an ES module importing its helpers. "function": a function body for
   * `new Function("$rt", code)` that takes the helpers from `$rt` and returns the chunk
   * (loadstring at run time).
   */
  form?: "module" | "function";
}

export interface LoweredChunk {
  program: JsNode;
  diagnostics: Diagnostic[];
}

/** The chunk body as `function L$main($G, ...$va)` (or its generator version). */
function lowerMain(chunk: L.Chunk, ctx: LowerContext, generator: boolean): JsNode {
  ctx.genMode = generator;
  const body = lowerStatements(chunk.body, ctx);
  const last = chunk.body[chunk.body.length - 1];
  if (last === undefined || last.type !== "ReturnStatement") body.push(b.ret(ctx.helper("EMPTY")));
  const decls: [string, null][] = [];
  for (let i = 1; i <= ctx.fn.tempCount; i++) decls.push(["$t" + i, null]);
  for (let i = 1; i <= ctx.slotCount; i++) decls.push(["$slot" + i, null]);
  if (decls.length > 0) body.unshift(b.letDecl(decls));
  const fn = b.fnExpr(generator ? "L$main$g" : "L$main", [b.id("$G"), b.restParam("$va")], body);
  if (generator) fn.generator = true;
  ctx.genMode = false;
  return fn;
}

export function lowerChunk(src: SourceFile, chunk: L.Chunk, options: LowerOptions): LoweredChunk {
  const ctx = new LowerContext(src, options.lineComments ?? false, options.coroutines ?? false);
  ctx.numericLocals = findNumericLocals(chunk);
  if (jsonAotEnabled()) ctx.responseTables = planResponseTables(chunk);
  const main = lowerMain(chunk, ctx, false);
  const imports = [...ctx.helpers].sort().map((name) => ({
    type: "ImportSpecifier",
    imported: b.id(name),
    local: b.id("$" + name),
  }));
  if (options.form === "function") {
    // A loaded chunk may run as a coroutine body: give it a generator version too (lowered
    // before the helper list below is read).
    const chunkFn = ctx.coroutines
      ? b.call(ctx.helper("withGenerator"), [main, lowerMain(chunk, ctx, true)])
      : main;
    const fromRuntime = {
      type: "VariableDeclaration",
      kind: "const",
      declarations: [
        {
          type: "VariableDeclarator",
          id: {
            type: "ObjectPattern",
            properties: [...ctx.helpers].sort().map((name) => ({
              type: "Property",
              key: b.id(name),
              value: b.id("$" + name),
              kind: "init",
              computed: false,
              shorthand: false,
              method: false,
            })),
          },
          init: b.id("$rt"),
        },
      ],
    };
    const program = { type: "Program", sourceType: "script", body: [fromRuntime, b.ret(chunkFn)] };
    return { program, diagnostics: ctx.diagnostics };
  }
  const program: JsNode = {
    type: "Program",
    sourceType: "module",
    body: [
      ...(imports.length > 0
        ? [{ type: "ImportDeclaration", specifiers: imports, source: b.lit(options.runtimeImport) }]
        : []),
      {
        type: "ExportDefaultDeclaration",
        declaration: { ...main, type: "FunctionDeclaration" },
      },
    ],
  };
  return { program, diagnostics: ctx.diagnostics };
}
