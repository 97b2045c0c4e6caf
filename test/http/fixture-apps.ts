// Hand-written chunks that do what the compiler's output does for the route files quoted
// above each one, so the server runtime can be tested without the compiler. A source map
// registered below maps each line of the chunks (not of the helpers) to the same line of
// "app.lua", so error positions ("app.lua:<line>") point at this file, as compiled code would.
// TODO(issue 2): switch case-13 to the real compiled routes.lua once compiler/ lands.
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SourceMapGenerator } from "source-map-js";
import { LuaTable, tableFrom } from "../../runtime/lua/table.ts";
import { first, spread } from "../../runtime/lua/multi.ts";
import { index, setIndex, callable } from "../../runtime/lua/ops.ts";
import { throwLuaError } from "../../runtime/lua/errors.ts";
import { registerCompiledMap } from "../../runtime/lua/callsites.ts";
import type { Chunk } from "../../runtime/lua/state.ts";
import type { LuaValue } from "../../runtime/lua/value.ts";

registerIdentityMap();

/** `o:name(...)` as compiled code does it. */
function call(o: LuaValue, name: string, ...args: LuaValue[]): LuaValue {
  return first(callable(index(o, name))(o, ...args));
}

/** `function api.a.b.method(ctx) ... end`: reads (auto-vivifies) every segment, then stores. */
function def(api: LuaValue, path: string[], method: string, fn: (ctx: LuaValue) => any): void {
  let t = api;
  for (const seg of path) t = index(t, seg);
  setIndex(t, method, fn);
}

function server(G: LuaTable, config: LuaTable = new LuaTable()): LuaValue {
  return first(callable(index(G.getStr("rover"), "server"))(config));
}

const t = (...pairs: LuaValue[]): LuaTable => tableFrom(undefined, pairs);

// ---------------------------------------------------------------- case-13 routes.lua
// local api = rover.server {}
// function api.echo.post(ctx)
//   local body = ctx:body():json()
//   return { name = body.name, count = body.count }
// end
// function api.items.p_id.delete(ctx) return api.no_content() end
// return api
export const case13: Chunk = (G) => {
  const api = server(G);
  def(api, ["echo"], "post", (ctx) => {
    const body = call(call(ctx, "body"), "json");
    return t("name", index(body, "name"), "count", index(body, "count"));
  });
  def(api, ["items", "p_id"], "delete", () => first(callable(index(api, "no_content"))()));
  return api;
};

// ---------------------------------------------------------------- the kitchen sink
// local api = rover.server { log_level = "error" }
// function api.get(ctx) return { service = "rover" } end
// ... one route per builder, plain return, ctx accessor and failure mode (see below)
export const kitchen: Chunk = (G) => {
  const api = server(G, t("log_level", "error"));
  const b = (name: string) => index(api, name);
  def(api, [], "get", () => t("service", "rover"));
  // builders, both call forms
  def(api, ["b", "json"], "get", () => first(callable(b("json"))(t("ok", true))));
  def(api, ["b", "json_colon"], "get", () => first(callable(b("json"))(api, t("ok", 1))));
  def(api, ["b", "json_status"], "post", () => call(b("json"), "status", 201, t("created", true)));
  def(api, ["b", "json_status_dot"], "get", () =>
    first(callable(index(b("json"), "status"))(202, t("a", 1))),
  );
  def(api, ["b", "json_string"], "get", () => first(callable(b("json"))("hi")));
  def(api, ["b", "text"], "get", () => first(callable(b("text"))("hello")));
  def(api, ["b", "text_status"], "get", () => call(b("text"), "status", 418, "teapot"));
  def(api, ["b", "html"], "get", () => first(callable(b("html"))("<h1>hi</h1>")));
  def(api, ["b", "html_status"], "get", () => call(b("html"), "status", 404, "<h1>nf</h1>"));
  def(api, ["b", "raw"], "get", () => call(b("raw"), "status", 200, "\x00\xff"));
  def(api, ["b", "redirect"], "get", () => first(callable(b("redirect"))("/target")));
  def(api, ["b", "permanent"], "get", () => call(b("redirect"), "permanent", "/p"));
  def(api, ["b", "redirect_status"], "get", () => call(b("redirect"), "status", 307, "/t"));
  def(api, ["b", "error_colon"], "get", () => call(api, "error", 403, "forbidden"));
  def(api, ["b", "error_dot"], "get", () => first(callable(b("error"))(401, 'caf\xc3\xa9 "quoted"')));
  def(api, ["b", "error_nil"], "get", () => call(api, "error", 503));
  def(api, ["b", "no_content_colon"], "delete", () => call(api, "no_content"));
  def(api, ["b", "no_content_dot"], "delete", () => first(callable(b("no_content"))()));
  def(api, ["b", "bad_status"], "get", () => call(b("json"), "status", 42, t()));
  // plain returns
  def(api, ["plain", "table"], "get", () => t("list", new LuaTable([1, 2, 3]), "name", "caf\xc3\xa9"));
  def(api, ["plain", "string"], "get", () => "caf\xc3\xa9");
  def(api, ["plain", "number"], "get", () => 42);
  def(api, ["plain", "float"], "get", () => 2.5);
  def(api, ["plain", "bool"], "get", () => false);
  def(api, ["plain", "nil"], "get", () => undefined);
  // ctx
  def(api, ["echo", "p_id"], "get", (ctx) =>
    t(
      "method",
      index(ctx, "method"),
      "path",
      index(ctx, "path"),
      "params",
      call(ctx, "params"),
      "query",
      call(ctx, "query"),
      "test_header",
      index(call(ctx, "headers"), "x-test"),
    ),
  );
  def(api, ["files", "p_name", "p_ext-x"], "get", (ctx) => call(ctx, "params"));
  def(api, ["users", "me"], "get", () => "me");
  def(api, ["users", "p_id"], "get", (ctx) => index(call(ctx, "params"), "id"));
  def(api, ["body", "text"], "post", (ctx) => call(call(ctx, "body"), "text"));
  def(api, ["body", "json"], "post", (ctx) => t("got", call(call(ctx, "body"), "json")));
  def(api, ["body", "len"], "post", (ctx) => (call(call(ctx, "body"), "as_string") as string).length);
  // local ok, err = pcall(function() return ctx:body():json() end)
  // return { ok = ok, err = tostring(err), status = err.status }
  def(api, ["body", "pcall"], "post", (ctx) => {
    const r = callable(G.getStr("pcall"))(() => call(call(ctx, "body"), "json"));
    const [ok, err] = spread(r);
    return t("ok", ok, "err", first(callable(G.getStr("tostring"))(err)), "status", index(err, "status"));
  });
  def(api, ["ctx", "field"], "get", (ctx) => {
    setIndex(ctx, "user", "ann");
    return index(ctx, "user");
  });
  // failures
  def(api, ["fail", "error"], "get", () => callable(G.getStr("error"))("boom")); // error("boom")
  def(api, ["fail", "index"], "get", () => index(undefined, "x", "local 't'"));
  def(api, ["fail", "function"], "get", () => t("f", () => 1));
  def(api, ["fail", "cycle"], "get", () => {
    const c = t();
    c.setStr("self", c);
    return c;
  });
  def(api, ["fail", "userdata_return"], "get", () => () => 1);
  def(api, ["fail", "json_builder"], "get", () => first(callable(b("json"))(t("f", () => 1))));
  def(api, ["fail", "runtime"], "get", () => throwLuaError("attempt to call a nil value"));
  // a handler busy for 300 ms, to see that a graceful close lets it finish
  def(api, ["slow"], "get", () => {
    const end = Date.now() + 300;
    while (Date.now() < end);
    return "done";
  });
  // not Lua: ends the worker thread, to see that a crashed worker is replaced
  def(api, ["crash"], "get", () => process.exit(3));
  def(api, ["explicit"], "head", () => undefined);
  def(api, ["explicit"], "get", () => "body");
  return api;
};

// ---------------------------------------------------------------- startup failures
// local api = rover.server {}; function api.users.fetch(ctx) end; return api
export const unknownMethod: Chunk = (G) => {
  const api = server(G);
  def(api, ["users"], "fetch", () => undefined);
  return api;
};

// print("hello from a script") -- returns nothing: no server
export const script: Chunk = (G) => {
  callable(G.getStr("print"))("hello from a script");
  return undefined;
};

// local api = rover.server { port = 70000 }; return api
export const badPort: Chunk = (G) => server(G, t("port", 70000));

/** Chunk lines map to the same line of app.lua (type stripping keeps positions); helpers are not Lua. */
function registerIdentityMap(): void {
  const url = import.meta.url;
  const lines = readFileSync(fileURLToPath(url), "utf8").split("\n");
  const gen = new SourceMapGenerator({ file: url });
  const from = lines.findIndex((l) => l.includes("case-13 routes.lua")) + 1;
  for (let line = from; line <= lines.length; line++) {
    gen.addMapping({ generated: { line, column: 0 }, original: { line, column: 0 }, source: "app.lua" });
  }
  registerCompiledMap(url, { ...gen.toJSON(), x_rover_chunks: ["app.lua"] });
}

/** Writes a dist/ directory whose app.js boots fixture `name` like a compiled bundle would. */
export function writeFixtureDist(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rover-dist-"));
  const bootUrl = new URL("../../runtime/rover/boot.ts", import.meta.url).href;
  const fixtures = pathToFileURL(fileURLToPath(import.meta.url)).href;
  writeFileSync(
    join(dir, "app.js"),
    `import { boot as bootApp } from ${JSON.stringify(bootUrl)};\n` +
      `import * as apps from ${JSON.stringify(fixtures)};\n` +
      `export const chunkName = "app.lua";\n` +
      `export function boot(options) { return bootApp(apps[${JSON.stringify(name)}], {}, options); }\n`,
  );
  return dir;
}
