// Code frames for errors raised while an app runs under `rover dev`: given a Lua position
// ("app.lua:75"), the lines around it from the build's source map (sourcesContent holds the
// Lua text of every chunk, x_rover_chunks its chunk name). The map is read on first use.
// Used by dev-worker.ts for boot errors and, through a log sink, for handler errors.
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import { codeFrame } from "../../compiler/diagnostics.ts";
import { sourceFile, type SourceFile } from "../../compiler/source.ts";
import type { LogSink } from "../../runtime/rover/boot.ts";
import type { AppModule } from "../../runtime/server/worker-steps.ts";
import { writeFdSync } from "../../runtime/server/output.ts";

export class LuaSources {
  private readonly mapPath: string;
  private chunks: Map<string, SourceFile> | null = null;

  /** `mapPath`: the build's app.js.map. */
  constructor(mapPath: string) {
    this.mapPath = mapPath;
  }

  /**
   * A code frame for the first `chunk:line` position in `text` ("app.lua:75: attempt to ...",
   * or a bare "app.lua:75"), with a newline in front; "" when there is none or it is unknown.
   */
  frameFor(text: string | undefined): string {
    if (text === undefined) return "";
    const m = /^(.+?):(\d+)(?::|$)/m.exec(text);
    if (m === null) return "";
    const file = this.load().get(m[1]);
    const line = Number(m[2]);
    if (file === undefined || line < 1 || line > file.lineStarts.length) return "";
    // No column is known at run time: the caret marks where the statement starts.
    const start = file.lineStarts[line - 1];
    const indent = /^[ \t]*/.exec(file.text.slice(start))![0].length;
    return "\n" + codeFrame(file, line, indent + 1);
  }

  private load(): Map<string, SourceFile> {
    if (this.chunks !== null) return this.chunks;
    this.chunks = new Map();
    try {
      const map = JSON.parse(readFileSync(this.mapPath, "utf8"));
      const names: (string | null)[] = map.x_rover_chunks ?? [];
      names.forEach((name, i) => {
        const text: unknown = map.sourcesContent?.[i];
        if (name && typeof text === "string") {
          this.chunks!.set(name, sourceFile(name, name, Buffer.from(text, "utf8")));
        }
      });
    } catch {
      // No map, no frames: the message alone is still printed.
    }
    return this.chunks;
  }
}

/** A Lua error gets LuaJIT's message and traceback, plus a frame; startup errors their message. */
export function bootErrorText(e: unknown, mod: AppModule | undefined, sources: LuaSources): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("ROVER_ERR_")) return (e as Error).message;
  if (mod?.describeError === undefined) return e instanceof Error ? e.message : String(e);
  const text = mod
    .describeError(e)
    .replace(/\n\t\[C\]: at rover\n$/, "")
    .trimEnd();
  return text + sources.frameFor(text);
}

/** Handler errors as text with a code frame of the Lua line; other levels go to pino. */
export function devLogSink(log: Logger, sources: LuaSources): LogSink {
  return (level, message, fields) => {
    if (!log.isLevelEnabled(level)) return;
    if (level !== "error") return log[level](fields, message);
    writeFdSync(2, "rover: " + message + sources.frameFor(fields.where ?? fields.error) + "\n");
  };
}
