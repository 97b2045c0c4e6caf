// Test helpers for running Lua programs two ways: through real LuaJIT (the oracle) and
// through Rover's compiler and the same big-stack worker `rover run` uses. Both run with the file's directory as cwd and the
// bare file name as the script, so chunk names in messages ("x.lua:3:") agree.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { buildApp } from "../../compiler/bundle.ts";
import { runMainChunk } from "../../cli/commands/run.ts";

export interface RunOutput {
  stdout: string;
  /** First line of the error message without the "luajit: " / "rover: " prefix, or "". */
  error: string;
  status: number;
}

export function runLuajit(file: string, args: string[] = [], stdin = ""): RunOutput {
  const r = spawnSync("luajit", [basename(file), ...args], {
    cwd: dirname(file),
    input: stdin,
    encoding: "latin1",
    env: { ...process.env, TZ: "UTC" },
  });
  return {
    stdout: r.stdout,
    error: firstLine(r.stderr).replace(/^luajit: /, ""),
    status: r.status ?? -1,
  };
}

function firstLine(s: string): string {
  const i = s.indexOf("\n");
  return i < 0 ? s : s.slice(0, i);
}

/** Compiles a Lua file with Rover and runs it the way `rover run` does (big-stack worker). */
export async function runRover(file: string, args: string[] = []): Promise<RunOutput> {
  const build = await buildApp(basename(file), { cwd: dirname(file) });
  const dir = mkdtempSync(join(tmpdir(), "rover-test-"));
  try {
    writeFileSync(join(dir, "app.js"), build.code);
    writeFileSync(join(dir, "app.js.map"), JSON.stringify(build.map));
    // Like `luajit` above, the program runs in its own directory (files it opens are relative).
    const cwd = process.cwd();
    process.chdir(dirname(file));
    let r;
    try {
      r = await runMainChunk({
        appPath: join(dir, "app.js"),
        script: basename(file),
        args,
        capture: true,
      });
    } finally {
      process.chdir(cwd);
    }
    const error = firstLine(r.stderr ?? "").replace(/^rover: /, "");
    return {
      stdout: r.stdout ?? "",
      error,
      status: r.kind === "script" ? r.code : r.kind === "error" ? 1 : 0,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs Lua source text (written to a temp file) through both; for one-off cases. */
export function writeTempLua(source: string, name = "snippet.lua"): string {
  const dir = mkdtempSync(join(tmpdir(), "rover-lua-"));
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}
