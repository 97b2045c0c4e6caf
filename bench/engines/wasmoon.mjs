// Runs a Lua file with wasmoon (Lua 5.4 compiled to WebAssembly), for side-by-side benchmarks.
import { LuaFactory } from "wasmoon";
import { readFileSync } from "node:fs";
const lua = await new LuaFactory().createEngine();
try {
  await lua.doString(readFileSync(process.argv[2], "utf8"));
} finally {
  lua.global.close();
}
