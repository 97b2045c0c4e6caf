// Incremental builds for `rover dev`: buildApp's module cache recompiles only the modules whose
// content changed, and the Rebuilder reports what changed and skips saves that change nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, type ModuleCache } from "../../compiler/bundle.ts";
import { Rebuilder } from "../../cli/dev/rebuild.ts";

function appDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "rover-rebuild-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "app.lua"), 'local store = require("store")\nreturn store.hello()\n');
  writeFileSync(join(dir, "store.lua"), 'return { hello = function() return "hi" end }\n');
  return dir;
}

test("the module cache recompiles only the modules whose content changed", async (t) => {
  const dir = appDir(t);
  const cache: ModuleCache = new Map();
  await buildApp("app.lua", { cwd: dir, cache });
  const before = new Map(cache);
  assert.equal(before.size, 2);
  writeFileSync(join(dir, "app.lua"), 'local store = require("store")\nreturn store.hello() .. "!"\n');
  const r = await buildApp("app.lua", { cwd: dir, cache });
  assert.equal(cache.get(join(dir, "store.lua")), before.get(join(dir, "store.lua")));
  assert.notEqual(cache.get(join(dir, "app.lua")), before.get(join(dir, "app.lua")));
  assert.match(r.code, /"!"/);
});

test("the rebuilder names what changed, was added or removed, and skips unchanged saves", async (t) => {
  const dir = appDir(t);
  const rebuilder = new Rebuilder("app.lua", dir, join(dir, ".out"));
  const first = await rebuilder.attempt();
  assert.equal(first.kind, "built");
  assert.equal((await rebuilder.attempt()).kind, "unchanged");

  writeFileSync(join(dir, "util.lua"), "return 1\n");
  writeFileSync(join(dir, "app.lua"), 'return require("util")\n');
  const second = await rebuilder.attempt();
  assert.equal(second.kind, "built");
  assert.equal(
    second.kind === "built" && second.changes,
    "app.lua changed, ./util.lua added, ./store.lua removed",
  );

  writeFileSync(join(dir, ".env"), "GREETING=hello\n");
  const third = await rebuilder.attempt();
  assert.ok(third.kind === "built");
  assert.equal(third.changes, ".env changed");
  assert.deepEqual(third.envFile, { GREETING: "hello" });

  writeFileSync(join(dir, "util.lua"), "return = 1\n");
  const broken = await rebuilder.attempt();
  assert.ok(broken.kind === "failed");
  assert.equal(broken.changes, "./util.lua changed");
  assert.equal(broken.diagnostics[0].code, "syntax");
  assert.equal((await rebuilder.attempt()).kind, "unchanged");
});
