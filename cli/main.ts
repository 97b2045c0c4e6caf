// rover's command dispatcher: parses the command line, runs one command, exits with its
// status. The only place that calls process.exit.
import { parseArgs, UsageError, type FlagSpec } from "./args.ts";
import { build } from "./commands/build.ts";
import { run } from "./commands/run.ts";
import { inspect } from "./commands/inspect.ts";
import { stdout, writeErr } from "./output.ts";

const USAGE = `rover: compile Lua route files to JavaScript and serve them with Fastify

Usage:
  rover run <app.lua> [args...] [--port N] [--host H] [--workers N]
                                    build in memory and run; serves if the app returns rover.server
  rover dev <app.lua> [--port N] [--host H] [--workers N]
                                    serve and watch: each saved change is rebuilt and swapped in
  rover build <app.lua> [--out dist] compile to dist/ (app.js, app.js.map, routes.json)
  rover start <dist> [--port N] [--host H] [--workers N]
                                    serve a build on N worker threads (default: all cores)
  rover inspect <app.lua> [--routes] [--module name] [--route "GET /path"]
                                    print the emitted JavaScript (or the routes, or one route)
  rover check <app.lua> [--json]    check the app and its modules without serving: syntax,
                                    routes, guard schemas, undefined globals (exit 1 on errors)
  rover help [command]

Environment: PORT and HOST override the app's config (flags win); NO_COLOR disables colour.
`;

const SPECS: Record<string, FlagSpec & { usage: string }> = {
  run: {
    values: { port: "number", host: "string", workers: "number" },
    booleans: [],
    stopAfterPositionals: 1,
    usage: "rover run <app.lua> [--port N] [--host H] [--workers N] [args...]",
  },
  dev: {
    values: { port: "number", host: "string", workers: "number" },
    booleans: [],
    usage: "rover dev <app.lua> [--port N] [--host H] [--workers N]",
  },
  build: { values: { out: "string" }, booleans: [], usage: "rover build <app.lua> [--out dist]" },
  start: {
    values: { port: "number", host: "string", workers: "number" },
    booleans: [],
    usage: "rover start <dist> [--port N] [--host H] [--workers N]",
  },
  inspect: {
    values: { module: "string", route: "string" },
    booleans: ["routes"],
    usage: 'rover inspect <app.lua> [--routes] [--module name] [--route "GET /users/:id"]',
  },
  check: { values: {}, booleans: ["json"], usage: "rover check <app.lua> [--json]" },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    const spec = rest[0] !== undefined ? SPECS[rest[0]] : undefined;
    process.stdout.write(spec ? `Usage: ${spec.usage}\n` : USAGE);
    return 0;
  }
  const spec = SPECS[command];
  if (spec === undefined) {
    writeErr(`rover: unknown command '${command}'\n\n${USAGE}`);
    return 1;
  }
  let parsed;
  try {
    // rover run: flags before the script are rover's; everything after the script is the script's.
    parsed = parseArgs(rest, spec);
  } catch (e) {
    if (e instanceof UsageError) {
      writeErr(`rover ${command}: ${e.message}\nUsage: ${spec.usage}\n`);
      return 1;
    }
    throw e;
  }
  const { flags, positionals } = parsed;
  if (flags.help) {
    process.stdout.write(`Usage: ${spec.usage}\n`);
    return 0;
  }
  const target = positionals[0];
  if (target === undefined) {
    writeErr(
      `rover ${command}: missing ${command === "start" ? "<dist>" : "<app.lua>"}\nUsage: ${spec.usage}\n`,
    );
    return 1;
  }
  const server = {
    port: flags.port as number | undefined,
    host: flags.host as string | undefined,
    workers: flags.workers as number | undefined,
  };
  switch (command) {
    case "run":
      return run(target, parsed.rest, server);
    case "dev": {
      const { dev } = await import("./commands/dev.ts");
      return dev(target, server);
    }
    case "build":
      return build(target, (flags.out as string | undefined) ?? "dist");
    case "start": {
      const { start } = await import("./commands/start.ts");
      return start(target, server);
    }
    case "inspect":
      return inspect(target, {
        routes: flags.routes === true,
        module: flags.module as string | undefined,
        route: flags.route as string | undefined,
      });
    case "check": {
      const { check } = await import("./commands/check.ts");
      return check(target, { json: flags.json === true });
    }
  }
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    stdout.flush();
    process.exitCode = code;
  },
  (e) => {
    stdout.flush();
    writeErr(`rover: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
