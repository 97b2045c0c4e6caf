// Differential tests: every program in fixtures/lua/ and every Lua case in fixtures/cases/
// runs through real LuaJIT and through Rover; stdout (bytes), exit status and the error
// message must agree. Cases also carry LuaJIT's recorded output (expected_stdout.txt).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runLuajit, runRover } from "../lib/lua.ts";
import { CompileError } from "../../compiler/diagnostics.ts";
import { buildApp } from "../../compiler/bundle.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PROGRAMS = join(ROOT, "fixtures/lua");
const CASES = join(ROOT, "fixtures/cases");

for (const name of readdirSync(PROGRAMS)
  .filter((f) => f.endsWith(".lua"))
  .sort()) {
  test(`fixtures/lua/${name} matches luajit`, async () => {
    const file = join(PROGRAMS, name);
    const expected = runLuajit(file);
    const actual = await runRover(file);
    assert.equal(actual.stdout, expected.stdout);
    assert.equal(actual.error, expected.error);
    assert.equal(actual.status, expected.status);
  });
}

for (const dir of readdirSync(CASES).sort()) {
  const input = join(CASES, dir, "input.lua");
  if (!existsSync(input)) continue;
  test(`case ${dir}: output equals LuaJIT's recorded output`, async () => {
    const expected = readFileSync(join(CASES, dir, "expected_stdout.txt"), "latin1");
    assert.equal(runLuajit(input).stdout, expected, "the installed luajit agrees with the recorded output");
    const actual = await runRover(input);
    assert.equal(actual.error, "");
    assert.equal(actual.stdout, expected);
  });
  const bad = join(CASES, dir, "compile_error.lua");
  if (existsSync(bad)) {
    test(`case ${dir}: compile_error.lua is rejected at compile time, naming its line`, async () => {
      const badLine =
        readFileSync(bad, "latin1")
          .split("\n")
          .findIndex((l) => l.includes(`"\\q"`)) + 1;
      await assert.rejects(buildApp("compile_error.lua", { cwd: join(CASES, dir) }), (e: unknown) => {
        assert.ok(e instanceof CompileError);
        assert.equal(e.diagnostics[0].line, badLine);
        return true;
      });
    });
  }
}
