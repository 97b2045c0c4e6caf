// Command-line flag parsing for rover's commands: known flags only (an unknown flag is an
// error with a hint), `--flag value` and `--flag=value`, positional arguments kept in order.
// After the script of `rover run`, only rover's value flags are taken; the rest is the script's.

export interface FlagSpec {
  /** Flags that take a value, e.g. { port: "number", out: "string" }. */
  values: Record<string, "string" | "number">;
  /** Flags without a value. */
  booleans: string[];
  /** Stop parsing flags after this many positionals (rover run: 1). */
  stopAfterPositionals?: number;
}

export interface ParsedArgs {
  flags: Record<string, string | number | boolean>;
  positionals: string[];
  rest: string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const flags: Record<string, string | number | boolean> = {};
  const positionals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (spec.stopAfterPositionals !== undefined && positionals.length >= spec.stopAfterPositionals) {
      return { flags, positionals, rest: scriptArgs(argv.slice(i), spec, flags) };
    }
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.replace(/^--?/, "").slice(0, eq > 0 ? eq - (a.startsWith("--") ? 2 : 1) : undefined);
    if (name === "h" || name === "help") {
      flags.help = true;
      continue;
    }
    if (spec.booleans.includes(name)) {
      flags[name] = true;
      continue;
    }
    const kind = spec.values[name];
    if (kind === undefined) {
      const known = [...Object.keys(spec.values), ...spec.booleans].map((f) => "--" + f);
      const near = known.find((k) => editDistance(k.slice(2), name) <= 2);
      throw new UsageError(
        `unknown flag ${a}` +
          (near ? ` (did you mean ${near}?)` : known.length ? ` (known: ${known.join(", ")})` : ""),
      );
    }
    const raw = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`flag --${name} needs a value`);
    if (kind === "number") {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0)
        throw new UsageError(`flag --${name} needs a whole number, got '${raw}'`);
      flags[name] = n;
    } else {
      flags[name] = raw;
    }
  }
  return { flags, positionals, rest: argv.slice(i) };
}

/**
 * Arguments after the script of `rover run`: rover's own value flags (`--port 0`) are still
 * taken, as users type them there; `--` ends that, and everything else is the script's `arg`.
 */
function scriptArgs(
  argv: string[],
  spec: FlagSpec,
  flags: Record<string, string | number | boolean>,
): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") return rest.concat(argv.slice(i + 1));
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(a);
    const kind = m !== null ? spec.values[m[1]] : undefined;
    if (m === null || kind === undefined) {
      rest.push(a);
      continue;
    }
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) throw new UsageError(`flag --${m[1]} needs a value`);
    const n = Number(raw);
    if (kind === "number" && (!Number.isInteger(n) || n < 0)) {
      throw new UsageError(`flag --${m[1]} needs a whole number, got '${raw}'`);
    }
    flags[m[1]] = kind === "number" ? n : raw;
  }
  return rest;
}

/** Levenshtein distance, for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
