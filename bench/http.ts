// HTTP benchmark: Rover apps against the same routes hand-written in Fastify, same load tool
// (wrk when installed, else autocannon), in one run: servers loaded in turn, best of N rounds.
// - examples/todos: GET / (static JSON) and GET /todos/1 (handler + store lookup), against
//   bench/peers/fastify-app.ts.
// - bench/apps/api.lua: POST /items (a 10-field body validated with rover.guard, answered 201)
//   and GET /items (a 100-item list), against bench/peers/fastify-api.ts (JSON schemas: ajv for
//   the body, fast-json-stringify for the responses).
// Before loading, each route is requested once on every server: a wrong status fails the run,
// and the Rover and Fastify bodies are compared byte for byte. Under load, any non-2xx/3xx
// response or socket error fails the run (a benchmark of 400s is worthless).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { table } from "./lang.ts";

const ROOT = resolve(import.meta.dirname, "..");
const NODE = process.execPath;
const DURATION = 5;
const CONNECTIONS = 64;

// The POST /items body: all 10 fields of the schema in bench/apps/api.lua.
const ITEM_BODY = JSON.stringify({
  name: "Cordless drill",
  sku: "DRL-20V-001",
  price: 129.99,
  in_stock: true,
  quantity: 12,
  status: "active",
  category: "tools",
  weight: 1.85,
  tags: ["power-tools", "cordless", "20v"],
  description: "20 V cordless drill with two batteries, a charger and a carry case",
});

interface Route {
  method: "GET" | "POST";
  path: string;
  status: number;
  body?: string;
}
interface Suite {
  app: string;
  peer: string;
  routes: Route[];
}
const SUITES: Suite[] = [
  {
    app: "examples/todos/app.lua",
    peer: "bench/peers/fastify-app.ts",
    routes: [
      { method: "GET", path: "/", status: 200 },
      { method: "GET", path: "/todos/1", status: 200 },
    ],
  },
  {
    app: "bench/apps/api.lua",
    peer: "bench/peers/fastify-api.ts",
    routes: [
      { method: "POST", path: "/items", status: 201, body: ITEM_BODY },
      { method: "GET", path: "/items", status: 200 },
    ],
  },
];

const ROVER_1W = "rover (1 worker)";
const FASTIFY = "fastify by hand (1 process)";
const ROVER_2W = "rover (2 workers)";
const SERVER_NAMES = [ROVER_1W, FASTIFY, ROVER_2W];

const routeName = (r: Route) => `${r.method} ${r.path}`;
const hasWrk = spawnSync("sh", ["-c", "command -v wrk"]).status === 0;
let work = ""; // a temporary directory per run: Rover builds and wrk scripts

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
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await done;
}

// A wrk script for a route with a body; wrk builds the request once (no request() function).
function wrkScript(route: Route): string {
  const file = join(work, `${route.method}-${route.path.replace(/\W/g, "_")}.lua`);
  writeFileSync(
    file,
    `wrk.method = "${route.method}"\nwrk.body = [==[${route.body}]==]\n` +
      `wrk.headers["Content-Type"] = "application/json"\n`,
  );
  return file;
}

/** Requests per second for one route; throws on any non-2xx/3xx response or socket error. */
function load(base: string, route: Route, label: string): number {
  const url = base + route.path;
  const fail = (what: string, out: string) => {
    throw new Error(`${label} ${routeName(route)}: ${what} under load\n${out}`);
  };
  if (hasWrk) {
    const args = ["-t1", `-c${CONNECTIONS}`, `-d${DURATION}s`];
    if (route.body !== undefined) args.push("-s", wrkScript(route));
    const r = spawnSync("wrk", [...args, url], { encoding: "utf8" });
    const out = r.stdout + r.stderr;
    const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
    if (non2xx) fail(`${non2xx[1]} non-2xx/3xx responses`, out);
    if (/Socket errors:/.test(out)) fail("socket errors", out);
    const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
    if (!m) fail("no result from wrk", out);
    return Number(m![1]);
  }
  const args = ["-j", "-c", String(CONNECTIONS), "-d", String(DURATION), "-m", route.method];
  if (route.body !== undefined) args.push("-b", route.body, "-H", "content-type=application/json");
  const r = spawnSync(NODE, [join(ROOT, "node_modules/autocannon/autocannon.js"), ...args, url], {
    encoding: "utf8",
  });
  const result = JSON.parse(r.stdout);
  if (result.non2xx > 0) fail(`${result.non2xx} non-2xx responses`, r.stdout);
  if (result.errors > 0) fail(`${result.errors} errors`, r.stdout);
  return result.requests.average;
}

/** One request before loading: the status must be the expected one; returns the body. */
async function probe(base: string, route: Route, label: string): Promise<string> {
  const res = await fetch(base + route.path, {
    method: route.method,
    body: route.body,
    headers: route.body !== undefined ? { "content-type": "application/json" } : {},
  });
  const text = await res.text();
  if (res.status !== route.status) {
    throw new Error(`${label} ${routeName(route)}: status ${res.status}, expected ${route.status}: ${text}`);
  }
  return text;
}

export async function runHttpBenchmarks(rounds: number): Promise<string> {
  const results: Record<string, Record<string, number>> = {};
  const bodies: Record<string, Record<string, string>> = {};
  for (const name of SERVER_NAMES) {
    results[name] = {};
    bodies[name] = {};
  }
  work = mkdtempSync(join(tmpdir(), "rover-bench-http-"));
  for (const suite of SUITES) {
    const dist = mkdtempSync(join(work, "dist-"));
    const build = spawnSync(
      NODE,
      [join(ROOT, "cli/main.ts"), "build", join(ROOT, suite.app), "--out", dist],
      {
        stdio: "inherit",
      },
    );
    if (build.status !== 0) throw new Error(`rover build ${suite.app} failed`);
    const rover = (port: number, workers: number) => [
      NODE,
      join(ROOT, "cli/main.ts"),
      "start",
      dist,
      "--port",
      String(port),
      "--workers",
      String(workers),
    ];
    const servers = [
      { name: ROVER_1W, port: 18081, cmd: rover(18081, 1), ready: /listening/i },
      { name: FASTIFY, port: 18082, cmd: [NODE, join(ROOT, suite.peer), "18082"], ready: /ready/ },
      { name: ROVER_2W, port: 18083, cmd: rover(18083, 2), ready: /listening/i },
    ];
    // All three listen at once (an idle server costs nothing) and are loaded in turn, round
    // after round, best round kept: the noise of a shared machine hits every server alike.
    const children: ChildProcess[] = [];
    try {
      for (const server of servers) children.push(await startProcess(server.cmd, server.ready));
      for (const server of servers) {
        const base = `http://127.0.0.1:${server.port}`;
        for (const route of suite.routes) {
          bodies[server.name][routeName(route)] = await probe(base, route, server.name);
          load(base, route, server.name); // warm-up
        }
      }
      for (let round = 0; round < rounds; round++) {
        for (const server of servers) {
          for (const route of suite.routes) {
            const rate = load(`http://127.0.0.1:${server.port}`, route, server.name);
            const name = routeName(route);
            results[server.name][name] = Math.max(results[server.name][name] ?? 0, rate);
          }
          process.stderr.write(".");
        }
      }
    } finally {
      for (const child of children) await stop(child);
    }
  }
  rmSync(work, { recursive: true, force: true });
  const routes = SUITES.flatMap((s) => s.routes.map(routeName));
  const rows = routes.map((r) => [
    r,
    ...SERVER_NAMES.map((name) => Math.round(results[name][r]).toString()),
    (results[ROVER_1W][r] / results[FASTIFY][r]).toFixed(2) + "x",
  ]);
  const differ = routes.filter((r) => bodies[ROVER_1W][r] !== bodies[FASTIFY][r]);
  const tool = hasWrk ? `wrk -t1 -c${CONNECTIONS}` : `autocannon -c ${CONNECTIONS}`;
  return (
    table(["route", ...SERVER_NAMES, "rover 1w / fastify"], rows) +
    `\n\n${tool}, ${DURATION} s per route after a ${DURATION} s warm-up, best of ${rounds} interleaved rounds ` +
    `(servers loaded in turn); no non-2xx response or socket ` +
    `error under load; POST /items answers 201. Response bodies, Rover vs Fastify: ` +
    (differ.length === 0 ? "byte-identical on every route." : `differ on ${differ.join(", ")}.`)
  );
}
