// The `rover` global and rover.server{...}: returns the api table, an auto-vivifying table
// (reading a missing string key creates, stores and returns a new namespace table, so
// `function api.users.p_id.get(ctx)` needs no declarations), with the builders installed.
// boot.ts asks serverConfigOf() whether the chunk returned such a table.
import { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { checkTable } from "../lua/args.ts";
import { installBuilders, templateBuilder } from "./responses.ts";
import type { TemplateBase } from "./responses.ts";
import { createGuard } from "./guard.ts";
import { throwLuaError } from "../lua/errors.ts";

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

/** Globals a template may use besides its data, rover and the rover.html helpers (§3.9). */
const TEMPLATE_GLOBALS = new Set(
  "tostring tonumber ipairs pairs table string math type next select unpack pcall error rawget rawset setmetatable getmetatable".split(
    " ",
  ),
);

/** `G` is the Lua state's globals table (templates read a few library names from it). */
export function createRoverGlobal(G: LuaTable): LuaTable {
  const rover = new LuaTable();
  const html = new LuaTable();
  const templates: TemplateBase = (name) => {
    if (name === "rover") return rover;
    if (!name.startsWith("__")) {
      const helper = html.getStr(name);
      if (helper !== undefined) return helper;
    }
    return TEMPLATE_GLOBALS.has(name) ? G.getStr(name) : undefined;
  };
  // rover.html(data) [[...]] renders to a string; functions stored on rover.html are helpers.
  const htmlMeta = new LuaTable();
  htmlMeta.setStr("__call", function html_(_self: LuaValue, data: LuaValue): LuaValue {
    if (data !== undefined && !(data instanceof LuaTable))
      throwLuaError("rover.html() data must be a table or nil");
    return templateBuilder(data, (text) => text, templates);
  });
  html.metatable = htmlMeta;
  rover.setStr("html", html);
  rover.setStr("guard", createGuard());
  const server = (a: LuaValue, b: LuaValue): LuaTable => {
    // rover:server{...} works too: drop the rover table itself.
    const config = checkTable(a === rover ? b : a, 1, "server");
    const api = new LuaTable();
    api.metatable = NAMESPACE_META;
    // Stored unmodified and parsed at boot (ROVER_API.md §1.1): later mutations have no effect.
    api.setStr("config", config);
    installBuilders(api, templates);
    servers.set(api, config);
    return api;
  };
  Object.defineProperty(server, "name", { value: "server" });
  rover.setStr("server", server);
  return rover;
}

/** The config table of an api table made by rover.server, or undefined for any other value. */
export function serverConfigOf(v: LuaValue): LuaTable | undefined {
  return v instanceof LuaTable ? servers.get(v) : undefined;
}
