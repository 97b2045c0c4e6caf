// Code frames for errors raised while an app runs under `rover dev`: given a Lua position
// ("app.lua:75"), the lines around it from the build's source map (sourcesContent holds the
// Lua text of every chunk, x_rover_chunks its chunk name). The map is read on first use.
import { readFileSync } from "node:fs";
import { codeFrame } from "../../compiler/diagnostics.ts";
import { sourceFile, type SourceFile } from "../../compiler/source.ts";

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
