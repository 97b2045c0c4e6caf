// The Fastify instance of one worker: one route per RoverApp route, each with its route id
// bound at start. Body parsing is the handler's business (ctx:body()), so every default
// content-type parser is replaced by a catch-all that keeps the raw Buffer, and the
// Content-Type header is hidden from Fastify so no body is refused before a handler asks.
import Fastify from "fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyError } from "fastify";
import type { Logger } from "pino";
import type { RoverApp, RouteSpec, ResponseOutput, RequestInput } from "../rover/boot.ts";

const JSON_TYPE = "application/json; charset=utf-8";
const NOT_FOUND = '{"error":"Not Found"}';
const INTERNAL = '{"error":"Internal Server Error"}';
const NO_PARAMS: string[] = [];
/** Methods Fastify reads a body for (its `bodywith` set); the others never reach a parser. */
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export function createFastifyApp(app: RoverApp, logger: Logger): FastifyInstance {
  const fastify = Fastify({
    logger: false,
    bodyLimit: app.config.bodyLimit,
    // Keep-alive connections that are idle are closed by close(); busy ones finish first.
    forceCloseConnections: "idle",
    frameworkErrors: badUrl,
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser("*", { parseAs: "buffer" }, keepRawBody);
  fastify.setNotFoundHandler(notFoundFor(app.routes));
  fastify.setErrorHandler(function roverErrorHandler(error: FastifyError, request, reply) {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 500)
      logger.error({ url: request.url, error: error.message }, "Request failed before the handler");
    reply
      .code(status)
      .header("content-type", JSON_TYPE)
      .send(status === 500 ? INTERNAL : JSON.stringify({ error: error.message }));
  });
  // Explicit HEAD routes first: Fastify then skips the automatic HEAD of the GET route.
  const ordered = [...app.routes].sort((a, b) => Number(b.method === "HEAD") - Number(a.method === "HEAD"));
  for (const route of ordered) {
    fastify.route({
      method: route.method,
      url: route.path,
      handler: routeHandler(app, route),
      onRequest: BODY_METHODS.has(route.method) ? hideContentType : undefined,
    });
  }
  for (const filler of methodFillers(app.routes)) {
    fastify.route({
      method: filler.methods,
      url: filler.path,
      handler: filler.handler,
      exposeHeadRoute: false,
      onRequest: hideContentType,
    });
  }
  return fastify;
}

/** Allow header order (ROVER_API.md §1.6). */
const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const METHOD_NOT_ALLOWED = '{"error":"Method Not Allowed"}';

/** The methods each route path handles; HEAD wherever GET is (Fastify answers it from GET). */
function methodsByPath(routes: readonly RouteSpec[]): Map<string, Set<string>> {
  const byPath = new Map<string, Set<string>>();
  for (const r of routes) {
    let set = byPath.get(r.path);
    if (set === undefined) byPath.set(r.path, (set = new Set()));
    set.add(r.method);
    if (r.method === "GET") set.add("HEAD");
  }
  return byPath;
}

/** The Allow header for a path's methods, in the fixed order; OPTIONS is always allowed. */
function allowHeader(methods: Set<string>): string {
  return ALL_METHODS.filter((m) => methods.has(m) || m === "OPTIONS").join(", ");
}

interface Filler {
  path: string;
  methods: string[];
  handler: (request: FastifyRequest, reply: FastifyReply) => void;
}

/**
 * For every route path, the methods it has no handler for: OPTIONS answers 204 with Allow,
 * the others 405 with Allow. HEAD is allowed wherever GET is (Fastify answers it from the GET
 * handler without the body). A filler is left out where it would shadow a route of the same
 * method on a less specific path (POST /users/me must still reach POST /users/:id).
 */
function methodFillers(routes: readonly RouteSpec[]): Filler[] {
  const out: Filler[] = [];
  for (const [path, methods] of methodsByPath(routes)) {
    const allow = allowHeader(methods);
    const missing = ALL_METHODS.filter(
      (m) => !methods.has(m) && !routes.some((r) => r.method === m && shadows(path, r.path)),
    );
    if (missing.length === 0) continue;
    out.push({
      path,
      methods: missing,
      handler: function methodNotAllowed(request: FastifyRequest, reply: FastifyReply): void {
        reply.header("allow", allow);
        if (request.raw.method === "OPTIONS") reply.code(204).send();
        else reply.code(405).header("content-type", JSON_TYPE).send(METHOD_NOT_ALLOWED);
      },
    });
  }
  return out;
}

/** Whether a route at `path` would win over one at `other` for some request both match. */
function shadows(path: string, other: string): boolean {
  if (path === other) return true;
  const a = path.split("/");
  const b = other.split("/");
  if (a.length !== b.length) return false;
  let decided = false;
  let wins = false;
  for (let i = 0; i < a.length; i++) {
    const pa = a[i].startsWith(":") && !a[i].startsWith("::");
    const pb = b[i].startsWith(":") && !b[i].startsWith("::");
    if (!pa && !pb && a[i] !== b[i]) return false;
    if (!decided && pa !== pb) {
      decided = true;
      wins = !pa;
    }
  }
  return wins;
}

/** The request handler of one route: raw request pieces in, ResponseOutput out, all synchronous. */
function routeHandler(app: RoverApp, route: RouteSpec) {
  const id = route.id;
  const keys = route.params.map((_, i) => "p" + i);
  return function roverRoute(request: FastifyRequest, reply: FastifyReply): void {
    const raw = request.raw;
    let params = NO_PARAMS;
    if (keys.length > 0) {
      const found = request.params as Record<string, string>;
      params = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const v = found[keys[i]];
        // ROVER_API.md §1.6: a parameter never matches the empty string ("/users//posts").
        if (v === undefined || v === "") return notFoundReply(reply);
        params[i] = v;
      }
    }
    const url = raw.url!;
    const q = url.indexOf("?");
    const body = request.body;
    const input: RequestInput = {
      method: raw.method!,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? "" : url.slice(q + 1),
      params,
      rawHeaders: raw.rawHeaders,
      body: body instanceof Buffer ? body : null,
    };
    send(reply, app.handle(id, input));
  };
}

function send(reply: FastifyReply, out: ResponseOutput): void {
  reply.code(out.status);
  const headers = out.headers;
  for (const name in headers) reply.header(name, headers[name]);
  if (out.body === null) reply.send();
  else reply.send(out.body);
}

function keepRawBody(_request: FastifyRequest, body: Buffer, done: (err: null, body: Buffer) => void): void {
  done(null, body);
}

/**
 * Fastify refuses a malformed Content-Type (415) and an empty JSON body (400) before the
 * handler runs. Hiding the header sends every body to the catch-all parser instead; ctx
 * reads Content-Type from rawHeaders, which this does not touch.
 */
function hideContentType(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const headers = request.raw.headers;
  if (headers["content-type"] !== undefined) headers["content-type"] = undefined;
  done();
}

/**
 * 404, except for a method Rover has no routes for at all (PROPFIND, TRACE...) on a path that
 * a route matches: that is 405 with the path's Allow, as for the methods the fillers cover.
 */
function notFoundFor(routes: readonly RouteSpec[]) {
  const patterns = [...methodsByPath(routes)].map(([path, methods]) => ({
    regex: new RegExp(
      "^" +
        path
          .split("/")
          .map((seg) => (/^:p\d+$/.test(seg) ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
          .join("/") +
        "$",
    ),
    allow: allowHeader(methods),
  }));
  const known = new Set<string>(ALL_METHODS);
  return function notFound(request: FastifyRequest, reply: FastifyReply): void {
    if (!known.has(request.raw.method ?? "")) {
      const path = (request.raw.url ?? "").split("?")[0];
      const hit = patterns.find((p) => p.regex.test(path));
      if (hit !== undefined) {
        reply.code(405).header("allow", hit.allow).header("content-type", JSON_TYPE).send(METHOD_NOT_ALLOWED);
        return;
      }
    }
    notFoundReply(reply);
  };
}

function notFoundReply(reply: FastifyReply): void {
  reply.code(404).header("content-type", JSON_TYPE).send(NOT_FOUND);
}

/** Malformed percent-encoding in the path (FST_ERR_BAD_URL) and similar router errors. */
function badUrl(_error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply.code(400).header("content-type", JSON_TYPE).send('{"error":"Bad Request"}');
}
