// One Lua file to one ES module: parse -> lower -> emit. Pure: takes the source, returns
// the code, its source map and the diagnostics; throws CompileError when there are errors.
import { parse } from "./parse.ts";
import { lowerChunk } from "./lower/index.ts";
import { emit, type EmittedModule } from "./emit.ts";
import type { SourceFile } from "./source.ts";
import { CompileError, type Diagnostic } from "./diagnostics.ts";
import type { Chunk } from "./lua-ast.ts";

export interface CompileOptions {
  /** Module specifier compiled code imports its helpers from. */
  runtimeImport: string;
  /** `// chunk:line` comments above statements, for rover inspect. */
  lineComments?: boolean;
  /** Emit generator versions of functions (the app uses coroutines). */
  coroutines?: boolean;
}

export interface CompiledModule extends EmittedModule {
  chunk: Chunk;
  warnings: Diagnostic[];
}

export function compileModule(src: SourceFile, options: CompileOptions): CompiledModule {
  const chunk = parse(src);
  const lowered = lowerChunk(src, chunk, {
    runtimeImport: options.runtimeImport,
    lineComments: options.lineComments,
    coroutines: options.coroutines,
  });
  const errors = lowered.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new CompileError(errors);
  const emitted = emit(lowered.program, src, { comments: options.lineComments, sourceName: src.chunkName });
  return { ...emitted, chunk, warnings: lowered.diagnostics.filter((d) => d.severity === "warning") };
}
