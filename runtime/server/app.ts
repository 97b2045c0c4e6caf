// The Fastify instance of one worker: one route per RoverApp route, each with its route id
// bound at start. Body parsing is the handler's business (ctx:body()), so every default
// content-type parser is replaced by a catch-all that keeps the raw Buffer, and the
// Content-Type header is hidden from Fastify so no body is refused before a handler asks.
import Fastify from "fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyError } from "fastify";
import type { Logger } from "pino";
import type { Duplex, Readable } from "node:stream";
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
    clientErrorHandler: unparsableRequest,
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser("*", { parseAs: "buffer" }, keepRawBody);
  const notFound = notFoundFor(app.routes);
  const fillers = methodFillers(app.routes);
  fastify.setNotFoundHandler(notFound);
  fastify.setErrorHandler(function roverErrorHandler(error: FastifyError, request, reply) {
    // Fastify reads the body of a request no handler takes (415 for a bad Content-Type, 413
    // over the limit): 404 and 405 come first, as upstream routes before it checks the body.
    if (request.is404) return notFound(request, reply);
    const filler = (request.routeOptions.config as { filler?: Filler }).filler;
    if (filler !== undefined) return filler.handler(request, reply);
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
  // HTTP HEAD runs the GET handler where there is no explicit head one (ROVER_API.md §1.6),
  // through Rover's own HEAD routes rather than Fastify's, to send the headers a GET would
  // (Content-Length included, but never on a 204).
  const explicitHead = new Set(app.routes.filter((r) => r.method === "HEAD").map((r) => r.path));
  for (const route of app.routes) {
    const handler = routeHandler(app, route);
    fastify.route({
      method: route.method === "GET" && !explicitHead.has(route.path) ? ["GET", "HEAD"] : route.method,
      url: route.path,
      handler,
      exposeHeadRoute: false,
      onRequest: BODY_METHODS.has(route.method) ? hideContentType : undefined,
    });
  }
  for (const filler of fillers) {
    fastify.route({
      method: filler.methods,
      url: filler.path,
      handler: filler.handler,
      config: { filler },
      exposeHeadRoute: false,
      onRequest: hideContentType,
    });
  }
  return fastify;
}

/** Allow header order (ROVER_API.md §1.6). */
const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const METHOD_NOT_ALLOWED = '{"error":"Method Not Allowed"}';

/** A route path split into segments: the text of a static one, null for a parameter. */
interface PathMethods {
  path: string;
  segments: (string | null)[];
  /** The methods routed at this path; HEAD wherever GET is (Fastify answers it from GET). */
  methods: Set<string>;
}

function isParam(segment: string): boolean {
  return segment.startsWith(":") && !segment.startsWith("::");
}

/** Every route path with its methods. */
function pathMethods(routes: readonly RouteSpec[]): PathMethods[] {
  const byPath = new Map<string, PathMethods>();
  for (const r of routes) {
    let entry = byPath.get(r.path);
    if (entry === undefined) {
      const segments = r.path.split("/").map((seg) => (isParam(seg) ? null : seg.replace(/^::/, ":")));
      byPath.set(r.path, (entry = { path: r.path, segments, methods: new Set() }));
    }
    entry.methods.add(r.method);
    if (r.method === "GET") entry.methods.add("HEAD");
  }
  return [...byPath.values()];
}

/** Whether a request path (decoded segments) matches a route path. */
function matches(entry: PathMethods, segments: string[]): boolean {
  const own = entry.segments;
  if (own.length !== segments.length) return false;
  for (let i = 0; i < own.length; i++) {
    if (own[i] === null ? segments[i] === "" : own[i] !== segments[i]) return false;
  }
  return true;
}

/**
 * The Allow header of a request path: every method some route serves for it, on this route
 * path or on a less specific one that the path also matches (DELETE /items/me reaching
 * DELETE /items/:id), in the fixed order; OPTIONS is always allowed. Undefined when no route
 * path matches.
 */
function allowFor(paths: readonly PathMethods[], segments: string[]): string | undefined {
  const methods = new Set<string>();
  for (const entry of paths) if (matches(entry, segments)) for (const m of entry.methods) methods.add(m);
  if (methods.size === 0) return undefined;
  return ALL_METHODS.filter((m) => methods.has(m) || m === "OPTIONS").join(", ");
}

/** The decoded segments of a request URL's path, for allowFor. */
function requestSegments(url: string): string[] {
  const q = url.indexOf("?");
  return (q < 0 ? url : url.slice(0, q)).split("/").map((seg) => {
    try {
      return decodeURIComponent(seg);
    } catch {
      return seg;
    }
  });
}

interface Filler {
  path: string;
  methods: string[];
  handler: (request: FastifyRequest, reply: FastifyReply) => void;
}

/**
 * For every route path, the methods it has no handler for: OPTIONS answers 204 with Allow,
 * the others 405 with Allow. A filler is left out where it would shadow a route of the same
 * method on a less specific path (POST /users/me must still reach POST /users/:id). Allow is
 * computed once per filler unless a static route path could join it for some values of its
 * parameters (/items/:id next to /items/me); then per request, on this error path only.
 */
function methodFillers(routes: readonly RouteSpec[]): Filler[] {
  const paths = pathMethods(routes);
  const out: Filler[] = [];
  for (const entry of paths) {
    const missing = ALL_METHODS.filter(
      (m) => !entry.methods.has(m) && !routes.some((r) => r.method === m && shadows(entry.path, r.path)),
    );
    if (missing.length === 0) continue;
    const fixed = paths.every((other) => !dependsOnParams(entry, other))
      ? allowFor(
          paths,
          entry.segments.map((seg) => seg ?? "x"),
        )!
      : undefined;
    out.push({
      path: entry.path,
      methods: missing,
      handler: function methodNotAllowed(request: FastifyRequest, reply: FastifyReply): void {
        const allow = fixed ?? allowFor(paths, requestSegments(request.raw.url ?? "")) ?? "OPTIONS";
        reply.header("allow", allow);
        if (request.raw.method === "OPTIONS") reply.code(204).send();
        else reply.code(405).header("content-type", JSON_TYPE).send(METHOD_NOT_ALLOWED);
      },
    });
  }
  return out;
}

/** Whether `other` matches some but not all requests that `entry` matches (a static segment where entry has a parameter). */
function dependsOnParams(entry: PathMethods, other: PathMethods): boolean {
  if (other.segments.length !== entry.segments.length) return false;
  let depends = false;
  for (let i = 0; i < entry.segments.length; i++) {
    const a = entry.segments[i];
    const b = other.segments[i];
    if (a !== null && b !== null && a !== b) return false;
    if (a === null && b !== null) depends = true;
  }
  return depends;
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
    const pa = isParam(a[i]);
    const pb = isParam(b[i]);
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
    send(reply, app.handle(id, input), input.method === "HEAD");
  };
}

function send(reply: FastifyReply, out: ResponseOutput, head: boolean): void {
  reply.code(out.status);
  const headers = out.headers;
  for (const name in headers) reply.header(name, headers[name]);
  if (head) return sendHead(reply, out);
  if (out.body === null) reply.send();
  else reply.send(out.body);
}

/** The response to HTTP HEAD: a GET's headers, no body; a stream's producer is never run. */
function sendHead(reply: FastifyReply, out: ResponseOutput): void {
  const body = out.body;
  // A string body is ASCII (reply.ts): its length is its byte count.
  if (typeof body === "string" || body instanceof Buffer) {
    if (out.status !== 204 && out.status !== 304) reply.header("content-length", body.length);
  } else if (body !== null) {
    (body as Readable).destroy();
  }
  reply.send();
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
  const paths = pathMethods(routes);
  const known = new Set<string>(ALL_METHODS);
  return function notFound(request: FastifyRequest, reply: FastifyReply): void {
    if (!known.has(request.raw.method ?? "")) {
      const allow = allowFor(paths, requestSegments(request.raw.url ?? ""));
      if (allow !== undefined) {
        reply.code(405).header("allow", allow).header("content-type", JSON_TYPE).send(METHOD_NOT_ALLOWED);
        return;
      }
    }
    notFoundReply(reply);
  };
}

function notFoundReply(reply: FastifyReply): void {
  reply.code(404).header("content-type", JSON_TYPE).send(NOT_FOUND);
}

/**
 * A request Node's parser refuses (a lower-case or unknown method token, bad framing, a
 * header block over the limit, a timeout): Rover's JSON error shape instead of Fastify's,
 * then the connection is closed, since the stream can no longer be trusted.
 */
function unparsableRequest(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, reason] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout"]
        : [400, "Bad Request"];
  const body = JSON.stringify({ error: reason });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${body.length}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Malformed percent-encoding in the path (FST_ERR_BAD_URL) and similar router errors. */
function badUrl(_error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply.code(400).header("content-type", JSON_TYPE).send('{"error":"Bad Request"}');
}
