// Language benchmarks, side by side in one run: each program in bench/lua/ under Rover,
// LuaJIT (JIT on and off), PUC Lua 5.1 and 5.4, fengari and wasmoon. Times are wall-clock
// seconds for the whole process (best of --runs, default 3); outputs are compared with
// LuaJIT's so a fast wrong answer cannot win. Rover's compile time is reported apart.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { buildApp } from "../compiler/bundle.ts";

const ROOT = resolve(import.meta.dirname, "..");
const NODE = process.execPath;

interface Engine {
  name: string;
  command: (file: string, bundle: string) => string[] | null;
}

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

const ENGINES: Engine[] = [
  { name: "rover", command: (_f, bundle) => [NODE, join(ROOT, "bench/engines/rover-prebuilt.ts"), bundle] },
  { name: "luajit", command: (f) => (has("luajit") ? ["luajit", f] : null) },
  { name: "luajit -joff", command: (f) => (has("luajit") ? ["luajit", "-joff", f] : null) },
  { name: "lua5.1", command: (f) => (has("lua5.1") ? ["lua5.1", f] : null) },
  { name: "lua5.4", command: (f) => (has("lua5.4") ? ["lua5.4", f] : null) },
  { name: "fengari", command: (f) => [NODE, join(ROOT, "bench/engines/fengari.cjs"), f] },
  { name: "wasmoon", command: (f) => [NODE, join(ROOT, "bench/engines/wasmoon.mjs"), f] },
];

function time(cmd: string[], runs: number): { seconds: number; stdout: string; ok: boolean } {
  let best = Infinity;
  let stdout = "";
  let ok = true;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "latin1", maxBuffer: 1 << 28, timeout: 300_000 });
    const s = (performance.now() - t0) / 1000;
    if (r.status !== 0) {
      ok = false;
      stdout = (r.stderr || "").split("\n")[0];
      break;
    }
    stdout = r.stdout;
    best = Math.min(best, s);
  }
  return { seconds: best, stdout, ok };
}

export async function runLanguageBenchmarks(runs: number, only?: string): Promise<string> {
  const dir = join(ROOT, "bench/lua");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".lua") && (only === undefined || f.includes(only)))
    .sort();
  const work = mkdtempSync(join(tmpdir(), "rover-bench-"));
  const header = [
    "benchmark",
    "rover compile",
    ...ENGINES.map((e) => e.name),
    "rover vs luajit",
    "rover vs luajit -joff",
    "rover vs fengari",
  ];
  const rows: string[][] = [];
  for (const f of files) {
    const file = join(dir, f);
    const t0 = performance.now();
    const build = await buildApp(file);
    const compileMs = performance.now() - t0;
    const bundle = join(work, basename(f, ".lua") + ".js");
    writeFileSync(bundle, build.code);
    writeFileSync(bundle + ".map", JSON.stringify(build.map));
    const results = new Map<string, { seconds: number; stdout: string; ok: boolean }>();
    for (const e of ENGINES) {
      const cmd = e.command(file, bundle);
      if (cmd !== null) results.set(e.name, time(cmd, runs));
      process.stderr.write(".");
    }
    const reference = results.get("luajit")?.stdout;
    const cell = (name: string) => {
      const r = results.get(name);
      if (r === undefined) return "n/a";
      if (!r.ok) return "error";
      // Lua 5.3/5.4 print integer-valued floats as "1.0"; compare loosely for them.
      const same = reference === undefined || normalise(r.stdout) === normalise(reference);
      return r.seconds.toFixed(2) + (same ? "" : " (output differs)");
    };
    const ratio = (peer: string) => {
      const a = results.get("rover");
      const b = results.get(peer);
      if (!a?.ok || !b?.ok) return "n/a";
      return (a.seconds / b.seconds).toFixed(2) + "x";
    };
    rows.push([
      basename(f, ".lua"),
      (compileMs / 1000).toFixed(2),
      ...ENGINES.map((e) => cell(e.name)),
      ratio("luajit"),
      ratio("luajit -joff"),
      ratio("fengari"),
    ]);
  }
  process.stderr.write("\n");
  return table(header, rows);
}

function normalise(s: string): string {
  return s.replace(/(\d)\.0\b/g, "$1");
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => "| " + cells.join(" | ") + " |";
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
