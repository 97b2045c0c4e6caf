// The rover command as a user runs it (a child process): build output, syntax errors with a
// code frame, plain scripts with arguments like luajit, flags and help.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const rover = (args: string[], cwd = ROOT) =>
  spawnSync(process.execPath, [join(ROOT, "cli/main.ts"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });

test("a syntax error names file:line:col, shows a code frame and exits 1; nothing runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "rover-cli-"));
  writeFileSync(join(dir, "app.lua"), 'print("ran")\nlocal x = = 2\n');
  for (const cmd of ["run", "build"]) {
    const r = rover([cmd, "app.lua"], dir);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^app\.lua:2:11: error\[syntax\]: /);
    assert.match(r.stderr, /> 2 \| local x = = 2\n\s+\|\s{11}\^/);
  }
});

test("rover build writes app.js, its source map and routes.json", () => {
  const out = mkdtempSync(join(tmpdir(), "rover-dist-"));
  const r = rover(["build", "examples/todos/app.lua", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  for (const f of ["app.js", "app.js.map", "routes.json"]) assert.ok(existsSync(join(out, f)), f);
  const manifest = JSON.parse(readFileSync(join(out, "routes.json"), "utf8"));
  assert.deepEqual(manifest.chunks, ["examples/todos/app.lua", "./examples/todos/store.lua"]);
  assert.ok(
    manifest.routes.some(
      (x: { method: string; path: string }) => x.method === "GET" && x.path === "/todos/:id",
    ),
  );
  const map = JSON.parse(readFileSync(join(out, "app.js.map"), "utf8"));
  assert.ok(map.x_rover_chunks.includes("examples/todos/app.lua"));
});

test("a plain script runs like `luajit script.lua args`: output, arg table, exit status", () => {
  const dir = mkdtempSync(join(tmpdir(), "rover-cli-"));
  writeFileSync(
    join(dir, "s.lua"),
    'print(arg[0], arg[1], arg[2], select("#", ...))\nos.exit(tonumber(arg[1]))\n',
  );
  const r = rover(["run", "s.lua", "7", "x"], dir);
  const l = spawnSync("luajit", ["s.lua", "7", "x"], { cwd: dir, encoding: "utf8" });
  assert.equal(r.stdout, l.stdout);
  assert.equal(r.status, l.status);
});

test("rover flags after the script are rover's; other arguments and everything after -- are the script's", () => {
  const dir = mkdtempSync(join(tmpdir(), "rover-cli-"));
  writeFileSync(join(dir, "s.lua"), 'print(select("#", ...), ...)\n');
  const r = rover(["run", "s.lua", "a", "--workers", "1", "b", "--", "--port", "6"], dir);
  assert.equal(r.stdout, "4\ta\tb\t--port\t6\n");
  assert.equal(r.status, 0);
});

test("file names with spaces and non-ASCII letters keep Lua positions and bytes, as with luajit", () => {
  const dir = mkdtempSync(join(tmpdir(), "rover cli ü-"));
  const name = "sp ü.lua";
  writeFileSync(
    join(dir, name),
    'print(arg[1], #arg[1])\nlocal t\nprint(pcall(function() return t.x end))\nerror("héllo")\n',
  );
  const r = rover(["run", name, "ñ"], dir);
  const l = spawnSync("luajit", [name, "ñ"], { cwd: dir, encoding: "utf8" });
  assert.equal(r.stdout, l.stdout);
  assert.equal(r.stderr.split("\n")[0], l.stderr.split("\n")[0].replace(/^luajit/, "rover"));
  assert.equal(r.status, l.status);
});

test("an uncaught error prints the message and a Lua traceback, exit 1", () => {
  const dir = mkdtempSync(join(tmpdir(), "rover-cli-"));
  writeFileSync(
    join(dir, "e.lua"),
    'local function inner() error("deep") end\nlocal function outer() inner() end\nouter()\n',
  );
  const r = rover(["run", "e.lua"], dir);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^rover: e\.lua:1: deep\nstack traceback:\n/);
  assert.match(r.stderr, /e\.lua:1: in function 'inner'/);
  assert.match(r.stderr, /e\.lua:3: in main chunk/);
  assert.doesNotMatch(r.stderr, /\.ts:|node:internal/);
});

test("an error three calls deep in a required module shows the three Lua frames, mapped to Lua lines", () => {
  const dir = mkdtempSync(join(tmpdir(), "rover-cli-"));
  writeFileSync(
    join(dir, "util.lua"),
    [
      "local M = {}",
      "local function parse(s) return s.field end",
      "function M.normalize(s) local v = parse(s) return v end",
      "function M.load(s) local r = M.normalize(s) return r end",
      "return M",
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "app.lua"), 'local util = require("util")\nlocal x = util.load(nil)\nprint(x)\n');
  const r = rover(["run", "app.lua"], dir);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^rover: \.\/util\.lua:2: attempt to index local 's' \(a nil value\)\n/);
  assert.match(
    r.stderr,
    /\.\/util\.lua:2: in function 'parse'\n\t\.\/util\.lua:3: in function 'M\.normalize'\n\t\.\/util\.lua:4: in function 'M\.load'\n/,
  );
  assert.match(r.stderr, /app\.lua:2: in main chunk/);
  assert.doesNotMatch(r.stderr, /\.ts:|node:|\$/);
});

test("unknown flags and commands are errors with a hint; --help prints usage", () => {
  const bad = rover(["build", "x.lua", "--otu", "d"]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /unknown flag --otu \(did you mean --out\?\)/);
  assert.equal(rover(["frobnicate"]).status, 1);
  const help = rover(["--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /rover run <app\.lua>/);
});
