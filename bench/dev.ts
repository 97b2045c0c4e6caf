// `rover dev` benchmark: for the example todo app and a generated 50-route app (each copied to a
// temp dir), the cold start (process start to serving, and the build-and-boot time dev itself
// reports) and edit-to-served: the time from writing a changed app.lua until a client polling
// through a keep-alive connection sees the new response. Target: edit-to-served under 300 ms.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { Agent, get } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { table } from "./lang.ts";

const ROOT = resolve(import.meta.dirname, "..");
const EDITS = 10;
/** Time between saves: long enough for dev's standby threads to be warm, as between real saves. */
const PAUSE_MS = 1500;

interface App {
  name: string;
  files: Record<string, string>;
  /** app.lua with the response of GET / changed to carry `marker`. */
  edit(marker: string): string;
}

function todosApp(): App {
  const app = readFileSync(join(ROOT, "examples/todos/app.lua"), "latin1");
  const store = readFileSync(join(ROOT, "examples/todos/store.lua"), "latin1");
  return {
    name: "examples/todos (2 files)",
    files: { "app.lua": app, "store.lua": store },
    edit: (marker) => app.replace('version = "1.0"', `version = "${marker}"`),
  };
}

function generatedApp(routes: number): App {
  const source = (marker: string) => {
    const lines = ["local api = rover.server {}", "", "function api.get(ctx)", `  return "${marker}"`, "end"];
    for (let i = 1; i < routes; i++) {
      lines.push(
        "",
        `function api.items${i}.p_id.get(ctx)`,
        "  local id = tonumber(ctx:params().id) or 0",
        `  local out = { route = ${i}, id = id, tags = {} }`,
        `  for k = 1, 3 do out.tags[k] = "t" .. (id + k) end`,
        "  return out",
        "end",
      );
    }
    return lines.join("\n") + "\n\nreturn api\n";
  };
  return { name: `generated (${routes} routes)`, files: { "app.lua": source("v0") }, edit: source };
}

function fetchText(url: string, agent: Agent): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    get(url, { agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolvePromise(text));
    }).on("error", reject);
  });
}

async function measure(app: App): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "rover-bench-dev-"));
  for (const [name, text] of Object.entries(app.files)) writeFileSync(join(dir, name), text, "latin1");
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, "cli/main.ts"), "dev", "app.lua", "--port", "0"], {
    cwd: dir,
    env: { ...process.env, PORT: "", HOST: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  const agent = new Agent({ keepAlive: true });
  try {
    const ready = await until(() => /built in (\d+) ms/.exec(out), child);
    const coldStart = performance.now() - started;
    const url = /Rover listening on (\S+)/.exec(out)![1] + "/";
    const times: number[] = [];
    for (let i = 1; i <= EDITS; i++) {
      await new Promise((r) => setTimeout(r, PAUSE_MS));
      const marker = `edit-${i}`;
      const tmp = join(dir, ".app.lua.tmp");
      writeFileSync(tmp, app.edit(marker), "latin1");
      const saved = performance.now();
      renameSync(tmp, join(dir, "app.lua"));
      while (!(await fetchText(url, agent)).includes(marker)) {
        if (performance.now() - saved > 10_000) throw new Error(`edit ${i} never served:\n${out}`);
      }
      times.push(performance.now() - saved);
    }
    times.sort((a, b) => a - b);
    const rebuilds = [...out.matchAll(/rebuilt in (\d+) ms/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    const ms = (n: number) => String(Math.round(n));
    return [
      app.name,
      ready[1],
      ms(coldStart),
      ms(rebuilds[Math.floor(rebuilds.length / 2)]),
      ms(times[Math.floor(times.length / 2)]),
      ms(times[times.length - 1]),
      times[times.length - 1] < 300 ? "yes" : "no",
    ];
  } finally {
    agent.destroy();
    child.kill("SIGINT");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function until<T>(probe: () => T | null, child: ChildProcess): Promise<T> {
  for (;;) {
    const v = probe();
    if (v !== null) return v;
    if (child.exitCode !== null) throw new Error("rover dev exited before serving");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Markdown table: cold build and edit-to-served times for two apps under `rover dev`. */
export async function runDevBenchmarks(): Promise<string> {
  const rows = [await measure(todosApp()), await measure(generatedApp(50))];
  return table(
    [
      "app",
      "cold build + boot (ms, dev's own)",
      "process start to serving (ms)",
      "rebuild + swap median (ms, dev's own)",
      `edit-to-served median (ms, ${EDITS} edits)`,
      "edit-to-served max (ms)",
      "max < 300 ms",
    ],
    rows,
  );
}

if (import.meta.main) console.log(await runDevBenchmarks());
