#!/usr/bin/env node
// The `rover` executable. Rover runs on Node 24 (TypeScript sources, worker reusePort);
// when started by an older system Node, re-run this command with the Node 24 that the
// package installs as its `node` dependency, passing signals on so that stopping this
// process stops the server too.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const major = Number(process.versions.node.split(".")[0]);
if (major >= 24) {
  await import("./main.ts");
} else {
  const candidates = [join(here, "../node_modules/node/bin/node"), join(here, "../node_modules/.bin/node")];
  const node24 = candidates.find((p) => existsSync(p));
  if (node24 === undefined) {
    process.stderr.write(
      `rover: Node 24 or newer is required (this is Node ${process.versions.node}); run \`npm install\` first\n`,
    );
    process.exit(1);
  }
  const child = spawn(node24, [join(here, "main.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 1)));
}
