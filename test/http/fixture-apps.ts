// The one app the tests cannot write in Lua: a handler that ends its worker thread, to see that
// a crashed worker is reported and replaced. Lua code cannot do that (os.exit in a handler is
// a logged 500), so this chunk is hand-written as the compiler would emit it for
//   local api = rover.server { log_level = "error" }
//   function api.get(ctx) return { service = "rover" } end
//   function api.crash.get(ctx) <end the worker thread> end
//   return api
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tableFrom } from "../../runtime/lua/table.ts";
import { first } from "../../runtime/lua/multi.ts";
import { index, setIndex, callable } from "../../runtime/lua/ops.ts";
import type { Chunk } from "../../runtime/lua/state.ts";

export const crasher: Chunk = (G) => {
  const api = first(
    callable(index(G.getStr("rover"), "server"))(tableFrom(undefined, ["log_level", "error"])),
  );
  setIndex(api, "get", () => tableFrom(undefined, ["service", "rover"]));
  setIndex(index(api, "crash"), "get", () => process.exit(3));
  return api;
};

/** Writes a dist/ directory whose app.js boots the chunk `name` of this file like a compiled bundle. */
export function writeFixtureDist(name: "crasher"): string {
  const dir = mkdtempSync(join(tmpdir(), "rover-dist-"));
  const bootUrl = new URL("../../runtime/rover/boot.ts", import.meta.url).href;
  const fixtures = pathToFileURL(fileURLToPath(import.meta.url)).href;
  writeFileSync(
    join(dir, "app.js"),
    `import { boot as bootApp } from ${JSON.stringify(bootUrl)};\n` +
      `import * as apps from ${JSON.stringify(fixtures)};\n` +
      `export const chunkName = "app.lua";\n` +
      `export function boot(options) { return bootApp(apps[${JSON.stringify(name)}], {}, options); }\n`,
  );
  return dir;
}
