// Static view of an app's routes for the build manifest, `rover inspect --routes` and
// `rover check`: every `function api.a.p_b.get(ctx)` where `api` is the local assigned
// from `rover.server{...}`. The server still reads the real route tree at start.
import type * as L from "../lua-ast.ts";

export interface RouteDecl {
  method: string;
  path: string;
  params: string[];
  line: number;
}

const METHODS = new Set(["get", "post", "put", "patch", "delete", "head", "options"]);

function serverLocal(chunk: L.Chunk): string | null {
  for (const s of chunk.body) {
    if (s.type !== "LocalStatement" || s.init.length === 0) continue;
    const init = s.init[0];
    if (
      (init.type === "TableCallExpression" || init.type === "CallExpression") &&
      init.base.type === "MemberExpression" &&
      init.base.base.type === "Identifier" &&
      init.base.base.name === "rover" &&
      init.base.identifier.name === "server"
    ) {
      return s.variables[0].name;
    }
  }
  return null;
}

function pathOf(e: L.Expression): string[] | null {
  if (e.type === "Identifier") return [e.name];
  if (e.type === "MemberExpression" && e.indexer === ".") {
    const base = pathOf(e.base);
    return base === null ? null : [...base, e.identifier.name];
  }
  return null;
}

export function findRoutes(chunk: L.Chunk): RouteDecl[] {
  const api = serverLocal(chunk);
  if (api === null) return [];
  const routes: RouteDecl[] = [];
  for (const s of chunk.body) {
    if (s.type !== "FunctionDeclaration" || s.identifier === null || s.identifier.type !== "MemberExpression") continue;
    const parts = pathOf(s.identifier);
    if (parts === null || parts[0] !== api || parts.length < 2) continue;
    const method = parts[parts.length - 1].toLowerCase();
    if (!METHODS.has(method)) continue;
    const segments = parts.slice(1, -1);
    const params = segments.filter((p) => p.startsWith("p_")).map((p) => p.slice(2));
    const path = "/" + segments.map((p) => (p.startsWith("p_") ? ":" + p.slice(2) : p)).join("/");
    routes.push({ method: method.toUpperCase(), path, params, line: s.loc.start.line });
  }
  return routes;
}
