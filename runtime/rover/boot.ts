// Entry point of a compiled app (the generated dist/app.js calls it): creates the Lua state,
// installs the `rover` global, runs the main chunk once and, when it returned an api table
// made by rover.server, reads the route tree and the config into a RoverApp. Startup errors
// are thrown (RoverError for route/config problems, LuaError when the chunk itself fails).
import { createLuaState } from "../lua/state.ts";
import type { Chunk } from "../lua/state.ts";
import { first } from "../lua/multi.ts";
import { createRoverGlobal, serverConfigOf } from "./server-api.ts";
import { recordBuiltinGuard } from "./guard.ts";
import { readRouteTree } from "./route-tree.ts";
import { parseConfig } from "./config.ts";
import { RoverApp } from "./app.ts";
import { bindIdempotencyStore } from "./idempotent.ts";
import type { LogSink } from "./log.ts";
import type { LuaTable } from "../lua/table.ts";
import type { LuaValue } from "../lua/value.ts";
import { ExitSignal } from "../lua/stdlib/base.ts";

export interface BootOptions {
  /** Receives bytes (a latin1 JS string) written by print and io.write. */
  write(bytes: string): void;
  /** Same for io.stderr. */
  writeError(bytes: string): void;
  /** arg[0] and arg[1..]; the args are also the main chunk's varargs. */
  argv: { script: string; args: string[] };
  /** Name of the main chunk ("app.lua"), used in messages. */
  chunkName: string;
  /** Where handler errors are reported; RoverApp.setLog can replace it later. */
  log?: LogSink;
}

/** "exit": the main chunk called os.exit(code) (the caller exits with that code). */
export type BootResult =
  { kind: "script" } | { kind: "server"; app: RoverApp } | { kind: "exit"; code: number };

export function boot(main: Chunk, modules: Record<string, Chunk>, options: BootOptions): BootResult {
  const state = createLuaState({
    write: options.write,
    writeError: options.writeError,
    modules,
    argv: options.argv,
  });
  const G = state.globals;
  const rover = createRoverGlobal(G);
  G.setStr("rover", rover);
  recordBuiltinGuard(G, rover);
  let result: LuaValue;
  try {
    result = first(main(G, ...options.argv.args));
  } catch (e) {
    // The caller lives outside the bundle and cannot test `instanceof ExitSignal`.
    if (e instanceof ExitSignal) return { kind: "exit", code: e.code };
    throw e;
  }
  const config = serverConfigOf(result);
  // ROVER_API.md §0.2: anything but a rover.server api table means "a script, no server".
  if (config === undefined) return { kind: "script" };
  // Same order as upstream (§0.2): route tree first, then config.
  const routes = readRouteTree(result as LuaTable);
  const parsed = parseConfig(config);
  bindIdempotencyStore(result as LuaTable, parsed.idempotency);
  return { kind: "server", app: new RoverApp(parsed, routes, options.chunkName, options.log) };
}

export { RoverApp } from "./app.ts";
export type { RouteSpec, HttpMethod } from "./route-tree.ts";
export type { RequestInput } from "./request.ts";
export type { ResponseOutput } from "./reply.ts";
export type { RoverConfig, LogLevel } from "./config.ts";
export type { LogSink, LogLevelName } from "./log.ts";
export { RoverError } from "./errors.ts";
