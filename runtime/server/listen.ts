// Where the workers listen: the app's config, overridden by HOST/PORT, overridden by the
// --host/--port flags. The main thread then binds a probe socket WITHOUT reusePort: with
// reusePort the workers would silently share a port another process holds, so this is the
// only place "port in use" can be detected; for port 0 it also picks the real port.
import { createServer } from "node:net";
import { isIP } from "node:net";
import type { BootedConfig } from "./protocol.ts";
import { RoverError, portInUse, invalidOverride } from "../rover/errors.ts";

export interface ListenFlags {
  port?: number;
  host?: string;
}

export interface Address {
  host: string;
  port: number;
}

export function resolveAddress(config: BootedConfig, flags: ListenFlags, env: NodeJS.ProcessEnv): Address {
  let host = config.host;
  let port = config.port;
  if (env.HOST !== undefined && env.HOST !== "") host = checkHost(env.HOST, "HOST environment variable");
  if (env.PORT !== undefined && env.PORT !== "") port = checkPort(env.PORT, "PORT environment variable");
  if (flags.host !== undefined) host = checkHost(flags.host, "--host");
  if (flags.port !== undefined) port = checkPort(flags.port, "--port");
  return { host, port };
}

function checkHost(value: string, source: string): string {
  if (value.toLowerCase() === "localhost") return "127.0.0.1";
  if (isIP(value) === 0)
    throw invalidOverride(source, `expected 'localhost' or an IP address, got '${value}'`);
  return value;
}

function checkPort(value: string | number, source: string): number {
  const n = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw invalidOverride(source, `expected an integer from 0 to 65535, got '${value}'`);
  }
  return n;
}

/** Binds and releases host:port; resolves to the port actually bound (the free one for 0). */
export function probePort(address: Address): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") reject(portInUse(address.port, address.host));
      else
        reject(
          new RoverError(
            "ROVER_ERR_LISTEN",
            `Cannot listen on ${address.host}:${address.port}: ${err.message}`,
          ),
        );
    });
    server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
      const bound = server.address();
      const port = typeof bound === "object" && bound !== null ? bound.port : address.port;
      server.close(() => resolve(port));
    });
  });
}

/** The URL printed at start; IPv6 literals need brackets. */
export function displayUrl(address: Address): string {
  const host = address.host.includes(":") ? "[" + address.host + "]" : address.host;
  return `http://${host}:${address.port}`;
}
