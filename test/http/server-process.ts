// Test helper: runs `rover start` (cli/commands/start.ts) on a fixture dist in a child
// process, waits for its "Rover listening" line, and stops it with SIGTERM in t.after.
// Also sends raw requests (node:http) when a path must go out exactly as written.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildApp } from "../../compiler/bundle.ts";
import { writeBuild } from "../../cli/commands/compile.ts";

export interface RunningServer {
  url: string;
  workers: number;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
}

export interface ProcessOptions {
  workers?: number;
  port?: number;
  host?: string;
  env?: Record<string, string>;
}

const START_URL = new URL("../../cli/commands/start.ts", import.meta.url).href;

/** Compiles a Lua app with Rover's real compiler into a temp dist directory. */
export async function buildLuaDist(luaFile: string): Promise<string> {
  const dist = mkdtempSync(join(tmpdir(), "rover-lua-dist-"));
  const build = await buildApp(relative(process.cwd(), luaFile));
  writeBuild(build, dist);
  return dist;
}

/** Builds a Lua app under fixtures/ (path relative to it) into a temp dist directory. */
export function buildFixture(relativePath: string): Promise<string> {
  return buildLuaDist(fileURLToPath(new URL(`../../fixtures/${relativePath}`, import.meta.url)));
}

/**
 * Starts `rover start <dist>` (a dist from buildLuaDist or buildFixture, removed when the process
 * exits); does not wait for it to listen (see waitListening).
 */
export function spawnServer(dist: string, options: ProcessOptions = {}): RunningServer {
  // `port: undefined` given explicitly means "no --port flag" (config or PORT decide).
  const flags = {
    workers: options.workers ?? 1,
    port: "port" in options ? options.port : 0,
    host: options.host,
  };
  const code =
    `import { start } from ${JSON.stringify(START_URL)};\n` +
    `process.exit(await start(${JSON.stringify(dist)}, ${JSON.stringify(flags)}));\n`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    env: { ...process.env, PORT: "", HOST: "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => {
      rmSync(dist, { recursive: true, force: true });
      resolve(code ?? signal ?? -1);
    });
  });
  return { url: "", workers: flags.workers, child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves once the listening line is printed; rejects if the process exits first. */
export async function waitListening(server: RunningServer, timeoutMs = 15000): Promise<RunningServer> {
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void server.exited.then(() => (done = true));
  while (Date.now() < deadline) {
    const m = /Rover listening on (http:\/\/\S+) \((\d+) workers?; Lua state is per worker\)/.exec(
      server.stdout(),
    );
    if (m !== null) {
      server.url = m[1];
      server.workers = Number(m[2]);
      return server;
    }
    if (done) throw new Error(`server exited before listening:\n${server.stdout()}\n${server.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`server did not listen in time:\n${server.stdout()}\n${server.stderr()}`);
}

/** Starts a listening server for a test file and stops it (SIGTERM) after the tests. */
export async function startServer(
  t: { after(fn: () => Promise<void>): void },
  dist: string,
  options: ProcessOptions = {},
): Promise<RunningServer> {
  const server = spawnServer(dist, options);
  t.after(async () => {
    await stopServer(server);
  });
  return waitListening(server);
}

/** SIGTERM, then wait for the process to end; resolves with its exit code. */
export async function stopServer(server: RunningServer): Promise<number | string> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGTERM");
  return server.exited;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * One request with the path sent byte for byte and only the given headers (a flat
 * [name, value, name, value...] list sends repeated headers as separate lines).
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> | string[] = {},
  body?: string,
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: base.hostname, port: base.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) {
      const buf = Buffer.from(body, "utf8");
      req.setHeader("content-length", buf.length);
      req.end(buf);
    } else {
      req.end();
    }
  });
}
