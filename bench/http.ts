// HTTP benchmark: the example app's GET / (static JSON) and GET /todos/1 (handler + store
// lookup) under Rover, against the same routes hand-written in Fastify, same load tool
// (wrk when installed, else autocannon), one after the other in one run.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { table } from "./lang.ts";

const ROOT = resolve(import.meta.dirname, "..");
const NODE = process.execPath;
const DURATION = 5;

function startProcess(cmd: string[], ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolvePromise(child);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${cmd.join(" ")} exited with ${code}: ${out}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  child.removeAllListeners("exit");
  const done = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await done;
}

function load(url: string): number {
  if (spawnSync("sh", ["-c", "command -v wrk"]).status === 0) {
    const r = spawnSync("wrk", ["-t1", "-c64", `-d${DURATION}s`, url], { encoding: "utf8" });
    const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
    return m ? Number(m[1]) : NaN;
  }
  const r = spawnSync(
    NODE,
    [join(ROOT, "node_modules/autocannon/autocannon.js"), "-j", "-c", "64", "-d", String(DURATION), url],
    {
      encoding: "utf8",
    },
  );
  return JSON.parse(r.stdout).requests.average;
}

export async function runHttpBenchmarks(): Promise<string> {
  const dist = mkdtempSync(join(tmpdir(), "rover-bench-dist-"));
  spawnSync(NODE, [join(ROOT, "cli/main.ts"), "build", join(ROOT, "examples/todos/app.lua"), "--out", dist], {
    stdio: "inherit",
  });
  const rows: string[][] = [];
  const paths = ["/", "/todos/1"];
  const results: Record<string, Record<string, number>> = {};
  const servers: { name: string; port: number; cmd: string[]; ready: RegExp }[] = [
    {
      name: "rover (1 worker)",
      port: 18081,
      cmd: [NODE, join(ROOT, "cli/main.ts"), "start", dist, "--port", "18081", "--workers", "1"],
      ready: /listening/i,
    },
    {
      name: "fastify by hand (1 process)",
      port: 18082,
      cmd: [NODE, join(ROOT, "bench/peers/fastify-app.ts"), "18082"],
      ready: /ready/,
    },
    {
      name: "rover (2 workers)",
      port: 18083,
      cmd: [NODE, join(ROOT, "cli/main.ts"), "start", dist, "--port", "18083", "--workers", "2"],
      ready: /listening/i,
    },
  ];
  for (const server of servers) {
    const child = await startProcess(server.cmd, server.ready);
    results[server.name] = {};
    for (const p of paths) {
      load(`http://127.0.0.1:${server.port}${p}`); // warm-up
      results[server.name][p] = load(`http://127.0.0.1:${server.port}${p}`);
    }
    await stop(child);
    process.stderr.write(".");
  }
  for (const p of paths) {
    const rover = results["rover (1 worker)"][p];
    const peer = results["fastify by hand (1 process)"][p];
    rows.push([
      `GET ${p}`,
      ...servers.map((x) => Math.round(results[x.name][p]).toString()),
      (rover / peer).toFixed(2) + "x",
    ]);
  }
  return table(["route", ...servers.map((x) => x.name), "rover 1w / fastify"], rows);
}
