// `npm run bench`: every benchmark side by side in one run, printed and written to
// bench/RESULTS.md with the date and the machine. Flags: --lang, --http, --dev to run parts,
// --runs N (best of N, default 3), --only <name> (language benchmarks whose name matches).
import { cpus, totalmem } from "node:os";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { runLanguageBenchmarks } from "./lang.ts";
import { runHttpBenchmarks } from "./http.ts";
import { runDevBenchmarks } from "./dev.ts";

const ROOT = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(flag("--runs") ?? 3);
const only = ["--lang", "--http", "--dev"].filter((f) => args.includes(f));
const doLang = only.length === 0 || only.includes("--lang");
const doHttp = only.length === 0 || only.includes("--http");
const doDev = only.length === 0 || only.includes("--dev");

const machine = `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
const date = new Date().toISOString().slice(0, 10);
const sections: string[] = [`## ${date} — ${machine}`];

if (doLang) {
  const t = await runLanguageBenchmarks(runs, flag("--only"));
  sections.push("### Language (seconds, whole process, best of " + runs + ")\n\n" + t);
  console.log(t);
}
if (doHttp) {
  const t = await runHttpBenchmarks(runs);
  sections.push("### HTTP (requests/s)\n\n" + t);
  console.log(t);
}

if (doDev) {
  const t = await runDevBenchmarks();
  sections.push("### Developer loop (rover dev)\n\n" + t);
  console.log(t);
}

// The file: a title and this introduction, then one section per run, newest first.
const HEAD = `# Benchmark results

\`npm run bench\` runs everything below in one command and prepends a new dated section here
(\`--lang\`, \`--http\`, \`--dev\` run one part; \`--runs N\` takes the best of N). Machine: the project's
2-core VM; other jobs share it, so single runs vary by 10-30 %: compare ratios within one run.

`;
const file = join(ROOT, "bench/RESULTS.md");
const old = existsSync(file) ? readFileSync(file, "utf8") : "";
const first = old.indexOf("\n## ");
const previous = first < 0 ? "" : old.slice(first + 1);
writeFileSync(file, HEAD + sections.join("\n\n") + "\n\n" + previous);
console.log(`\nwritten to bench/RESULTS.md`);
