// One app built twice, with a build-time feature on and off (guard validators, JSON
// serializers), served side by side: every request goes to both and the answers (status,
// content type, body bytes) must be identical.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { buildApp } from "../../compiler/bundle.ts";
import { writeBuild } from "../../cli/commands/compile.ts";
import { spawnServer, waitListening, stopServer, type RunningServer } from "../http/server-process.ts";

export interface Req {
  method: string;
  path: string;
  body?: string;
  type?: string;
}

export async function send(base: string, q: Req): Promise<string> {
  const headers: Record<string, string> = {};
  if (q.type !== undefined) headers["content-type"] = q.type;
  const res = await fetch(base + q.path, { method: q.method, headers, body: q.body });
  const body = Buffer.from(await res.arrayBuffer()).toString("base64");
  return `${res.status} ${res.headers.get("content-type")} ${body}`;
}

/** The body of an answer from `send`. */
export function decoded(answer: string): string {
  return Buffer.from(answer.split(" ").at(-1)!, "base64").toString();
}

/** Builds `lua` with the feature switched by `toggle` on or off (always back on afterwards). */
async function buildDist(
  lua: string,
  aot: boolean,
  toggle: (on: boolean) => void,
): Promise<{ dist: string; code: string }> {
  toggle(aot);
  try {
    const build = await buildApp(relative(process.cwd(), lua));
    const dist = mkdtempSync(join(tmpdir(), "aot-dist-"));
    writeBuild(build, dist);
    return { dist, code: build.code };
  } finally {
    toggle(true);
  }
}

/** Starts the app built both ways; `compare` sends each request to both and checks the answers match. */
export function useBothBuilds(lua: () => string, toggle: (on: boolean) => void) {
  const servers: { aot?: RunningServer; runtime?: RunningServer; aotCode: string; runtimeCode: string } = {
    aotCode: "",
    runtimeCode: "",
  };
  before(async () => {
    const file = lua();
    const aot = await buildDist(file, true, toggle);
    const runtime = await buildDist(file, false, toggle);
    servers.aotCode = aot.code;
    servers.runtimeCode = runtime.code;
    [servers.aot, servers.runtime] = await Promise.all([
      waitListening(spawnServer(aot.dist)),
      waitListening(spawnServer(runtime.dist)),
    ]);
  });
  after(async () => {
    for (const s of [servers.aot, servers.runtime]) if (s !== undefined) assert.equal(await stopServer(s), 0);
  });
  const compare = async (requests: Req[]): Promise<string[]> => {
    const answers: string[] = [];
    for (const q of requests) {
      const a = await send(servers.aot!.url, q);
      const b = await send(servers.runtime!.url, q);
      assert.equal(a, b, `${q.method} ${q.path} ${q.type ?? "(no type)"} ${q.body}`);
      answers.push(a);
    }
    return answers;
  };
  return { servers, compare };
}

/** useBothBuilds for an app given as Lua source text, written to a temp dir removed afterwards. */
export function useBothBuildsOf(source: string, toggle: (on: boolean) => void) {
  const dir = mkdtempSync(join(tmpdir(), "both-builds-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return useBothBuilds(() => {
    writeFileSync(join(dir, "app.lua"), source);
    return join(dir, "app.lua");
  }, toggle);
}
