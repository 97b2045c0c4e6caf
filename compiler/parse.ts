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
