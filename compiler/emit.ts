// Prints an ESTree program with astring and a source map whose mappings point at the Lua
// file (every lowered node carries its Lua location). The map is returned as JSON and also
// inlined into the code, so esbuild can chain it through the bundle.
import { generate } from "astring";
import { SourceMapGenerator } from "source-map-js";
import type { JsNode } from "./lower/builders.ts";
import type { SourceFile } from "./source.ts";

export interface EmittedModule {
  code: string;
  map: object;
}

export function emit(
  program: JsNode,
  src: SourceFile,
  options: { comments?: boolean; sourceName: string },
): EmittedModule {
  const map = new SourceMapGenerator({ file: options.sourceName });
  const code = generate(program as any, { sourceMap: map as any, comments: options.comments ?? false });
  map.setSourceContent(options.sourceName, Buffer.from(src.text, "latin1").toString("utf8"));
  return { code, map: map.toJSON() };
}

/** The code with its map inlined as a data: URL comment (what esbuild reads from inputs). */
export function withInlineMap(m: EmittedModule): string {
  const b64 = Buffer.from(JSON.stringify(m.map)).toString("base64");
  return m.code + "\n//# sourceMappingURL=data:application/json;base64," + b64 + "\n";
}
