// The `rover` global and rover.server{...}: returns the api table, an auto-vivifying table
// (reading a missing string key creates, stores and returns a new namespace table, so
// `function api.users.p_id.get(ctx)` needs no declarations), with the builders installed.
// boot.ts asks serverConfigOf() whether the chunk returned such a table.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { checkTable } from "../lua/args.ts";
import { installBuilders } from "./responses.ts";

/** Shared by the api table and every namespace it creates. */
const NAMESPACE_META = new LuaTable();
NAMESPACE_META.setStr("__index", function autovivify(t: LuaTable, key: LuaValue): LuaValue {
  if (typeof key !== "string") return undefined;
  const ns = new LuaTable();
  ns.metatable = NAMESPACE_META;
  t.setStr(key, ns);
  return ns;
});

/** api table → the config table it was created with. Only the returned api is started. */
const servers = new WeakMap<LuaTable, LuaTable>();

export function createRoverGlobal(): LuaTable {
  const rover = new LuaTable();
  const server = (a: LuaValue, b: LuaValue): LuaTable => {
    // rover:server{...} works too: drop the rover table itself.
    const config = checkTable(a === rover ? b : a, 1, "server");
    const api = new LuaTable();
    api.metatable = NAMESPACE_META;
    // Stored unmodified and parsed at boot (ROVER_API.md §1.1): later mutations have no effect.
    api.setStr("config", config);
    installBuilders(api);
    servers.set(api, config);
    return api;
  };
  Object.defineProperty(server, "name", { value: "server" });
  rover.setStr("server", server);
  // TODO(issue 4): rover.guard (ROVER_API.md §5).
  return rover;
}

/** The config table of an api table made by rover.server, or undefined for any other value. */
export function serverConfigOf(v: LuaValue): LuaTable | undefined {
  return v instanceof LuaTable ? servers.get(v) : undefined;
}
