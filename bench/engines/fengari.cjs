// Runs a Lua file with fengari (Lua 5.3 in JavaScript), for side-by-side benchmarks.
const { lua, lauxlib, lualib, to_luastring } = require("fengari");
const fs = require("node:fs");
const L = lauxlib.luaL_newstate();
lualib.luaL_openlibs(L);
const code = fs.readFileSync(process.argv[2]);
if (
  lauxlib.luaL_loadbuffer(L, code, null, to_luastring("@" + process.argv[2])) !== lua.LUA_OK ||
  lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK
) {
  process.stderr.write(lua.lua_tojsstring(L, -1) + "\n");
  process.exit(1);
}
