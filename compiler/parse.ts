// Parsing: luaparse with the LuaJIT dialect, locations and ranges on, and the pseudo-latin1
// encoding so string literals come back as exact byte strings. Syntax errors become a
// Diagnostic with the file, line and column.
import luaparse from "luaparse";
import type { Chunk } from "./lua-ast.ts";
import { type SourceFile } from "./source.ts";
import { CompileError, diagnostic } from "./diagnostics.ts";

export function parse(src: SourceFile): Chunk {
  try {
    return luaparse.parse(src.text, {
      luaVersion: "LuaJIT",
      locations: true,
      ranges: true,
      comments: false,
      scope: false,
      encodingMode: "pseudo-latin1",
      onCreateNode: longStringNewlines,
    } as any) as unknown as Chunk;
  } catch (e: any) {
    if (typeof e?.line === "number") {
      // luaparse prefixes "[line:col] "; the CLI prints the position itself.
      // LuaJIT's wording where luaparse words the same error differently.
      const message = String(e.message)
        .replace(/^\[\d+:\d+\] /, "")
        .replace(/^<expression> expected near/, "unexpected symbol near");
      throw new CompileError([diagnostic("syntax", message, src, e.line, e.column + 1)]);
    }
    throw e;
  }
}

/**
 * In long brackets every newline sequence (\r\n, \n\r, \r) is one "\n", as LuaJIT reads them;
 * luaparse keeps them as written. Fixed here, once, so every use of the literal (values, table
 * keys, guard schemas, routes) sees LuaJIT's string.
 */
function longStringNewlines(node: { type: string; raw?: string; value?: unknown }): void {
  if (node.type === "StringLiteral" && node.raw!.startsWith("[") && typeof node.value === "string") {
    node.value = node.value.replace(/\r\n|\n\r|\r/g, "\n");
  }
}
