// Runs a prebuilt Rover bundle as a script (what `rover run` does after compiling), so the
// benchmark times execution, not compilation. Usage: node rover-prebuilt.ts <dist/app.js> [args]
import { pathToFileURL } from "node:url";
import { writeSync } from "node:fs";
const app = await import(pathToFileURL(process.argv[2]).href);
const chunks: string[] = [];
const r = app.boot({
  write: (s: string) => chunks.push(s),
  writeError: (s: string) => writeSync(2, Buffer.from(s, "latin1")),
  argv: { script: "bench.lua", args: process.argv.slice(3) },
});
writeSync(1, Buffer.from(chunks.join(""), "latin1"));
process.exitCode = r.kind === "exit" ? r.code : 0;
