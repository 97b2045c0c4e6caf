// The Fastify instance of one worker: one route per RoverApp route, each with its route id
// bound at start. Body parsing is the handler's business (ctx:body()), so every default
// content-type parser is replaced by a catch-all that keeps the raw Buffer, and the
// Content-Type header is hidden from Fastify so no body is refused before a handler asks.
import Fastify from "fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyError } from "fastify";
import type { Logger } from "pino";
import type { Duplex, Readable } from "node:stream";
import type { RoverApp, RouteSpec, ResponseOutput, RequestInput } from "../rover/boot.ts";
import { methodFillers, notFoundFor, notFoundReply, JSON_TYPE, type Filler } from "./unrouted.ts";

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
    const message =
      error.code === "FST_ERR_CTP_BODY_TOO_LARGE" ? tooLarge(request, app.config.bodyLimit) : error.message;
    reply
      .code(status)
      .header("content-type", JSON_TYPE)
      .send(status === 500 ? INTERNAL : JSON.stringify({ error: message }));
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
  // CONNECT asks for a tunnel, which Rover never opens: Node hands such requests to a
  // 'connect' listener instead of the router, and without one it drops the connection.
  fastify.server.on("connect", (_request: unknown, socket: Duplex) =>
    unparsableRequest(new Error("CONNECT"), socket),
  );
  return fastify;
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
  // HEAD, 204 and 304 have no body: a stream's producer is never run (an endless one would spin).
  if (head || out.status === 204 || out.status === 304) return sendHead(reply, out);
  if (out.body === null) reply.send();
  else reply.send(out.body);
}

/** A response without a body (HTTP HEAD: a GET's headers): a stream's producer is never run. */
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

/** Upstream's 413 text (ROVER_API.md §1.7); a chunked body has no announced size. */
function tooLarge(request: FastifyRequest, limit: number): string {
  const announced = request.headers["content-length"];
  if (announced !== undefined && /^\d+$/.test(announced))
    return `Request body too large: ${announced} bytes exceeds limit of ${limit} bytes`;
  return `Request body too large: more than the limit of ${limit} bytes`;
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
