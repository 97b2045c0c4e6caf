// Compiles Lua source at run time, for loadstring/load/dofile: the same pipeline as a build,
// producing a function body for `new Function("$rt", code)` and its source map. It is
// bundled only into apps that call those functions.
import { sourceFile } from "./source.ts";
import { parse } from "./parse.ts";
import { lowerChunk } from "./lower/index.ts";
import { emit } from "./emit.ts";
import { CompileError } from "./diagnostics.ts";

export interface LoadedChunk {
  code: string;
  map: any;
}

/** Throws CompileError (with line and column) for a syntax error. */
export function compileChunkFunction(text: string, chunkName: string): LoadedChunk {
  const src = sourceFile(chunkName, chunkName, text);
  const chunk = parse(src);
  const lowered = lowerChunk(src, chunk, { runtimeImport: "", coroutines: true, form: "function" });
  const errors = lowered.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new CompileError(errors);
  // The map's source name is internal (the chunk name may be empty, as for "="); the runtime
  // names frames with x_rover_chunks instead.
  return emit(lowered.program, src, { sourceName: "loaded-chunk.lua" });
}

export { CompileError };
