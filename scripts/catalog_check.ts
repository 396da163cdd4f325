/**
 * The catalog compatibility check: adds every skill of a catalog checkout
 * (a folder of skill directories, e.g. a clone of the public AgentOS skill
 * catalog) to a fresh engine in a temporary home, and reports per skill
 * what discovery found and every gap that keeps a tool from running here:
 * blocking (a discovery problem, Python packages not installed — as the
 * engine infers them, guarded imports being optional — a program this host
 * lacks, a local
 * application database, macOS-only APIs, a logged-in browser session) or
 * not (a returned shape the engine does not have: the call works, nothing
 * is remembered). Ends with how many skills have no blocking gap on this
 * OS, and how many need only macOS or a browser session.
 *
 *   scripts/deno task catalog-check <catalog-dir> [--json]
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a command-line tool: its output is the report
import { parseArgs } from "node:util";
import { EngineProcess } from "../tests/_engine_process.ts";
import { scanSkillSource, type SourceGaps } from "./catalog_scan.ts";
import { PROGRAM_DIRS } from "../engine/grants/mod.ts";

interface ToolView {
  name: string;
  file: string;
  returns: unknown;
}

interface SkillView {
  id: string;
  dir: string;
  tools: ToolView[];
  problems: { file: string; line: number | null; reason: string }[];
  /** Programs found by the engine (readme `shell:` and `shell.run` call sites). */
  programs: { name: string }[];
  /** Python packages the engine says it needs (declared or inferred; optional imports are not). */
  packages: { requires: string[]; state: string; command?: string } | null;
}

/** One skill's verdict. */
interface Verdict {
  dir: string;
  id: string | null;
  tools: number;
  blocking: string[];
  platform: string[];
  notes: string[];
}

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  allowPositionals: true,
});
if (values.help || positionals.length !== 1) {
  console.log("usage: scripts/deno task catalog-check <catalog-dir> [--json]");
  Deno.exit(values.help ? 0 : 1);
}
const root = await Deno.realPath(positionals[0]!);
const dirs = await skillDirs(root);
console.error(`catalog-check: ${dirs.length} skills under ${root}`);

await using engine = await EngineProcess.start({
  env: { AGENTOS_SPARE_WORKERS: "0" },
});
const client = await engine.client();
const { shapes } = await client.call<{ shapes: { name: string }[] }>(
  "shapes.list",
);
const known = new Set(shapes.map((s) => s.name));
const verdicts: Verdict[] = [];
const progress = Deno.stderr.isTerminal();
for (const [index, dir] of dirs.entries()) {
  if (progress) {
    await Deno.stderr.write(
      new TextEncoder().encode(`\r${index + 1}/${dirs.length} `),
    );
  }
  verdicts.push(await check(dir));
}
if (progress) await Deno.stderr.write(new TextEncoder().encode("\r\x1b[K"));

if (values.json) {
  console.log(JSON.stringify(verdicts, null, 2));
} else {
  for (const v of verdicts) {
    const state = v.blocking.length > 0
      ? "blocked"
      : v.platform.length > 0
      ? "platform"
      : "clear";
    console.log(
      `${state.padEnd(8)} ${(v.id ?? v.dir).padEnd(22)} ${
        String(v.tools).padStart(3)
      } tools  ${[...v.blocking, ...v.platform, ...v.notes].join("; ")}`,
    );
  }
}
const runs = verdicts.filter((v) => !v.blocking.length && !v.platform.length);
const platformOnly = verdicts.filter((v) =>
  !v.blocking.length && v.platform.length
);
console.log(
  `\n${runs.length} of ${verdicts.length} skills have no blocking gap that this static check finds on ${Deno.build.os}; ` +
    `${platformOnly.length} need only macOS or a logged-in browser; ` +
    `${
      verdicts.length - runs.length - platformOnly.length
    } are blocked by a gap of ours`,
);

async function check(dir: string): Promise<Verdict> {
  const rel = dir.slice(root.length + 1);
  const verdict: Verdict = {
    dir: rel,
    id: null,
    tools: 0,
    blocking: [],
    platform: [],
    notes: [],
  };
  let skill: SkillView;
  try {
    const added = await client.call<{ id: string }>("skills.add", {
      path: dir,
    });
    const { skills } = await client.call<{ skills: SkillView[] }>(
      "skills.list",
    );
    skill = skills.find((s) => s.id === added.id)!;
  } catch (error) {
    verdict.blocking.push(`add failed: ${(error as Error).message}`);
    return verdict;
  }
  verdict.id = skill.id;
  verdict.tools = skill.tools.length;
  if (skill.tools.length === 0) verdict.blocking.push("no tools found");
  for (const p of skill.problems) {
    verdict.blocking.push(`${p.file}:${p.line ?? "?"} ${p.reason}`);
  }
  const gaps = await scanSkillSource(dir);
  classify(gaps, skill, verdict);
  const unknown = new Set<string>();
  for (const tool of skill.tools) {
    const name = typeof tool.returns === "string"
      ? tool.returns.replace(/\[\]$/, "")
      : null;
    if (name && !known.has(name)) unknown.add(name);
  }
  if (unknown.size > 0) {
    verdict.notes.push(`shapes missing: ${[...unknown].sort().join(", ")}`);
  }
  return verdict;
}

function classify(gaps: SourceGaps, skill: SkillView, verdict: Verdict): void {
  // The engine's own view of packages (guarded imports are optional): a
  // call fails until they are installed, naming the command.
  const packages = skill.packages;
  if (packages && packages.state !== "installed") {
    verdict.blocking.push(
      `packages: ${packages.requires.join(", ")} (${
        packages.command ?? "invalid requires:"
      })`,
    );
  }
  // shell.run works once the owner grants the program; a program this
  // host lacks (or one chosen at run time) is a gap.
  const programs = [
    ...new Set([
      ...skill.programs.map((p) => p.name),
      ...gaps.shell.filter((p) => p.includes(" ")),
    ]),
  ].sort();
  const missing = programs.filter((p) => !installed(p));
  if (missing.length > 0) {
    verdict.blocking.push(`programs not on this host: ${missing.join(", ")}`);
  }
  const present = programs.filter(installed);
  if (present.length > 0) {
    verdict.notes.push(`needs a --run grant: ${present.join(", ")}`);
  }
  if (gaps.macos.length > 0) {
    verdict.platform.push(`macOS: ${gaps.macos.join(", ")}`);
  } else if (gaps.localDatabases.length > 0) {
    verdict.blocking.push(
      `local database outside the home: ${gaps.localDatabases.join(", ")}`,
    );
  }
  if (gaps.browserSession) verdict.platform.push("logged-in browser session");
}

function installed(program: string): boolean {
  if (program.includes(" ")) return false; // "a computed program"
  const name = program.slice(program.lastIndexOf("/") + 1);
  return PROGRAM_DIRS.some((dir) => {
    try {
      return Deno.statSync(`${dir}/${name}`).isFile;
    } catch {
      return false;
    }
  });
}

async function skillDirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry);
  if (entries.some((e) => e.isFile && e.name === "readme.md") && dir !== root) {
    return [dir];
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory && !entry.name.startsWith(".")) {
      out.push(...await skillDirs(`${dir}/${entry.name}`));
    }
  }
  return out;
}
