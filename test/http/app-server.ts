// Test helper: one real server per describe block for a Lua app under fixtures/apps, built
// by the real compiler, started before the block's tests and stopped (SIGTERM) after them.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { buildLuaDist, spawnServer, waitListening, stopServer } from "./server-process.ts";
import type { RunningServer } from "./server-process.ts";

/** Call inside describe(); the returned object's `server` is set once the app listens. */
export function useAppServer(app: string, workers = 1): { server: RunningServer } {
  const holder = {} as { server: RunningServer };
  const lua = fileURLToPath(new URL(`../../fixtures/apps/${app}/app.lua`, import.meta.url));
  before(async () => {
    holder.server = await waitListening(spawnServer(await buildLuaDist(lua), { workers }));
  });
  after(async () => {
    if (holder.server !== undefined) assert.equal(await stopServer(holder.server), 0);
  });
  return holder;
}
