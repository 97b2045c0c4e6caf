// The emitted JavaScript: every fixture program compiles to a module acorn accepts (a cheap
// guard against invalid output), generated names cannot collide with Lua names, and the
// `rover inspect` output for a route keeps its promised shape (golden file; regenerate with
// UPDATE_GOLDEN=1 and review the diff).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { parse as acornParse } from "acorn";
import { compileModule } from "../../compiler/compile-module.ts";
import { sourceFile } from "../../compiler/source.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function compileFile(path: string, coroutines = false): string {
  const src = sourceFile(path, path, readFileSync(path));
  return compileModule(src, { runtimeImport: "rover/runtime", coroutines }).code;
}

const programs = [
  ...readdirSync(join(ROOT, "fixtures/lua")).map((f) => join(ROOT, "fixtures/lua", f)),
  ...readdirSync(join(ROOT, "bench/lua")).map((f) => join(ROOT, "bench/lua", f)),
];

test("every fixture and benchmark compiles to valid JavaScript, with and without coroutine versions", () => {
  for (const file of programs.filter((f) => f.endsWith(".lua"))) {
    for (const coroutines of [false, true]) {
      const code = compileFile(file, coroutines);
      assert.doesNotThrow(() => acornParse(code, { ecmaVersion: "latest", sourceType: "module" }), file);
    }
  }
});

test("Lua names that are JS reserved words or clash with each other get distinct JS names", () => {
  const path = join(ROOT, "fixtures/inspect/names.lua");
  const code = compileFile(path);
  acornParse(code, { ecmaVersion: "latest", sourceType: "module" });
  assert.match(code, /let class\$ = 1/);
  assert.match(code, /let x\$\d+ = x \+ 1/);
});

test("rover inspect prints each statement with its Lua line (golden)", () => {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, "cli/main.ts"), "inspect", "fixtures/inspect/route.lua"],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const golden = join(ROOT, "fixtures/inspect/route.expected.js");
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(golden)) writeFileSync(golden, r.stdout);
  assert.equal(r.stdout, readFileSync(golden, "utf8"));
  assert.match(r.stdout, /\/\/ fixtures\/inspect\/route\.lua:4\n/);
});
