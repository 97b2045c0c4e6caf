// Finds the modules a chunk requires with a constant name (`require("users")`,
// `require "lib.util"`) and resolves them the way Rover's build does: `a.b` is `a/b.lua` or
// `a/b/init.lua` next to the entry file, then relative to the working directory.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type * as L from "../lua-ast.ts";

export interface RequireSite {
  name: string;
  line: number;
  column: number;
}

export function findRequires(chunk: L.Chunk): RequireSite[] {
  const out: RequireSite[] = [];
  const visit = (n: any): void => {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(visit);
    if (
      (n.type === "CallExpression" || n.type === "StringCallExpression") &&
      n.base.type === "Identifier" &&
      n.base.name === "require"
    ) {
      const arg = n.type === "StringCallExpression" ? n.argument : n.arguments[0];
      if (arg?.type === "StringLiteral") {
        out.push({ name: arg.value, line: n.loc.start.line, column: n.loc.start.column + 1 });
      }
    }
    for (const k in n) if (k !== "loc" && k !== "range") visit(n[k]);
  };
  visit(chunk.body);
  return out;
}

/** Absolute path of the module file, or null when it is not found. */
export function resolveModule(name: string, entryDir: string, cwd: string): string | null {
  const rel = name.replace(/\./g, "/");
  for (const base of [entryDir, cwd]) {
    for (const candidate of [join(base, rel + ".lua"), join(base, rel, "init.lua")]) {
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}
