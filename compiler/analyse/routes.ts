// Static view of an app's routes for the build manifest and `rover inspect --routes`: the
// api table of `rover.server{...}` rebuilt from one chunk by route-tree.ts, so
// `function api.a.p_b.get(ctx)`, `api.a.get = function ... end` and nested tables
// (`api.a = { get = fn, p_b = { ... } }`) all count. The server still reads the real tree at start.
import type * as L from "../lua-ast.ts";
import { sourceFile } from "../source.ts";
import { resolveScopes } from "./globals.ts";
import { analyseRoutes } from "./route-tree.ts";

export interface RouteDecl {
  method: string;
  path: string;
  params: string[];
  line: number;
}

/** Routes declared in one chunk (modules it requires are not followed; `rover check` does that). */
export function findRoutes(chunk: L.Chunk): RouteDecl[] {
  const file = sourceFile("", "", "");
  const { routes } = analyseRoutes([{ name: "", file, chunk, scopes: resolveScopes(chunk) }]);
  return routes.map((r) => ({ method: r.method, path: r.path, params: r.params, line: r.site.line }));
}
