/**
 * `deno task compile`: builds `dist/agentos`, `dist/agentos-engine` and
 * `dist/agentos-mcp` with `deno compile`, each with the permission flags of
 * its `deno.json` task (`agentos`, `engine`, `mcp`) embedded.
 *
 *   scripts/deno task compile          # build the three executables
 *   scripts/deno task compile --plan   # print each `deno compile` command only
 *
 * The tasks' flags name `$AGENTOS_HOME` and `$AGENTOS_PYTHON`; a compiled
 * executable cannot expand variables at run time, so they are expanded here,
 * at build time, exactly as `deno task` expands them at run time: the
 * executables are built for one home and one interpreter (`scripts/deno`
 * sets both) and refuse to run with another. Repository paths in
 * `--allow-read` (`./shapes`, `./python`) become `--include`s instead: files
 * embedded in a compiled executable are always readable. `--allow-run=deno`
 * (the CLI and the MCP proxy start the engine) becomes the built
 * `agentos-engine`.
 *
 * `deno compile` needs Deno's `denort` runtime, downloaded from Deno's
 * server unless `DENORT_BIN` names one. Without either the task fails with
 * one message saying what to provide.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { VERSION } from "../engine/mod.ts";

/** The repository root. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** One executable to build. */
export interface BinaryPlan {
  /** File name in the output directory, e.g. `agentos-engine`. */
  name: string;
  /** The deno.json task whose flags it embeds. */
  task: string;
  /** The module the task runs, relative to the repository. */
  entry: string;
  /** Permission flags to embed, variables expanded. */
  flags: string[];
  /** Repository directories or files to embed, relative. */
  includes: string[];
}

/** What the executables are built for. */
export interface BuildTarget {
  /** Absolute `AGENTOS_HOME`. */
  home: string;
  /** Absolute `AGENTOS_PYTHON`. */
  python: string;
  /** Absolute output directory. */
  outDir: string;
}

/** Thrown when a build cannot go on; `message` says what to do. */
export class CompileError extends Error {
  /** @param message what failed and what to provide */
  constructor(message: string) {
    super(message);
    this.name = "CompileError";
  }
}

const BINARIES = [
  { name: "agentos", task: "agentos", extra: ["python"] },
  { name: "agentos-engine", task: "engine", extra: [] },
  { name: "agentos-mcp", task: "mcp", extra: [] },
] as const;

/**
 * Derives every executable's flags and embedded files from the tasks.
 *
 * @param tasks the `tasks` object of deno.json
 * @param target home, interpreter and output directory
 * @returns one plan per executable
 * @throws {CompileError} when a task has an unexpected form
 */
export function compilePlan(
  tasks: Record<string, string>,
  target: BuildTarget,
): BinaryPlan[] {
  for (
    const [name, value] of [["AGENTOS_HOME", target.home], [
      "AGENTOS_PYTHON",
      target.python,
    ]]
  ) {
    if (!value?.startsWith("/")) {
      throw new CompileError(
        `${name} must be an absolute path, got "${
          value ?? ""
        }": run the task through scripts/deno, which sets it`,
      );
    }
  }
  return BINARIES.map(({ name, task, extra }) => {
    const text = tasks[task];
    if (text === undefined) {
      throw new CompileError(`deno.json has no "${task}" task`);
    }
    const words = text.split(" && ").at(-1)!.split(/\s+/).filter(Boolean);
    const entry = words.at(-1)!;
    if (words[0] !== "deno" || words[1] !== "run" || !entry.endsWith(".ts")) {
      throw new CompileError(
        `The "${task}" task does not end with "deno run <flags> <module>.ts"`,
      );
    }
    const includes: string[] = [...extra];
    const flags: string[] = [];
    for (const word of words.slice(2, -1)) {
      if (word.startsWith("--v8-flags=")) {
        flags.push(word); // runtime tuning, embedded as is
        continue;
      }
      if (!/^--(allow|deny)-/.test(word)) continue;
      const eq = word.indexOf("=");
      if (eq < 0) {
        flags.push(word);
        continue;
      }
      const flag = word.slice(0, eq);
      const kept: string[] = [];
      for (const raw of word.slice(eq + 1).split(",")) {
        const item = raw
          .replaceAll("$AGENTOS_HOME", target.home)
          .replaceAll("$AGENTOS_PYTHON", target.python);
        if (flag === "--allow-read" && item.startsWith("./")) {
          includes.push(item.slice(2));
        } else if (flag === "--allow-run" && item === "deno") {
          // The engine runs deno only to start the bridge from a checkout;
          // a compiled engine does not (see engine/bridge_launcher.ts).
          if (task !== "engine") {
            kept.push(join(target.outDir, "agentos-engine"));
          }
        } else kept.push(item);
      }
      for (const item of kept) {
        // An empty item or a relative path would widen the grant once
        // embedded (empty means everywhere; relative means "wherever the
        // executable is started").
        if (item === "" || item.includes("$") || item.startsWith(".")) {
          throw new CompileError(
            `Cannot embed "${flag}=${item}" of the "${task}" task: only absolute paths and names can be embedded`,
          );
        }
      }
      if (kept.length > 0) flags.push(`${flag}=${kept.join(",")}`);
    }
    return {
      name,
      task,
      entry,
      flags,
      includes: [...new Set(includes)].filter((path) => path !== "deno.json"),
    };
  });
}

/**
 * The generated entry module of one executable: it pins the home and the
 * interpreter the executable was built for, then runs the task's module.
 *
 * @param plan the executable
 * @param target home and interpreter
 * @returns TypeScript source
 */
export function entrySource(plan: BinaryPlan, target: BuildTarget): string {
  return `// Generated by scripts/compile.ts: the entry of the compiled ${plan.name}.
const BUILT_FOR = ${
    JSON.stringify({ home: target.home, python: target.python })
  };
const REBUILD = "rebuild it with that AGENTOS_HOME/AGENTOS_PYTHON: scripts/deno task compile";
for (const [name, value] of [["AGENTOS_HOME", BUILT_FOR.home], ["AGENTOS_PYTHON", BUILT_FOR.python]]) {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") continue;
  const current = Deno.env.get(name);
  if (current && current !== value) {
    console.error(\`${plan.name}: this executable was built for \${name}="\${value}" (its permissions name it), not "\${current}"; \${REBUILD}\`);
    Deno.exit(1);
  }
  Deno.env.set(name, value);
}
await import(${JSON.stringify(`../../${plan.entry}`)});
`;
}

/**
 * The `deno compile` arguments of one executable.
 *
 * @param plan the executable
 * @param target the output directory
 * @param entry the generated entry module
 * @returns arguments after `deno`
 */
export function compileArgs(
  plan: BinaryPlan,
  target: BuildTarget,
  entry: string,
): string[] {
  const args = [
    "compile",
    "--quiet",
    "--no-check",
    "--config",
    join(ROOT, "deno.json"),
    "--exclude-unused-npm",
    "--output",
    join(target.outDir, plan.name),
    ...plan.flags,
  ];
  for (const include of plan.includes) {
    args.push("--include", join(ROOT, include));
    for (const excluded of pythonClutter(join(ROOT, include))) {
      args.push("--exclude", excluded);
    }
  }
  args.push(entry);
  return args;
}

/** Test suites and byte-code caches under a directory: never shipped. */
function pythonClutter(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string, depth: number) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(path)];
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory) continue;
      const child = join(path, entry.name);
      if (
        entry.name === "__pycache__" || (depth === 0 && entry.name === "tests")
      ) {
        found.push(child);
      } else walk(child, depth + 1);
    }
  };
  if (dir.endsWith("/python")) walk(dir, 0);
  return found;
}

/** The one message for "deno compile has no denort runtime". */
export function denortMissingMessage(): string {
  const version = Deno.version.deno;
  const target = Deno.build.target;
  return `Cannot build the executables: deno compile needs Deno's denort runtime ${version} for ${target}, and it cannot be downloaded from here. Set DENORT_BIN to a denort ${version} executable (in denort-${target}.zip of the Deno ${version} release), or install from this checkout with scripts/install.sh, which needs no compile`;
}

async function build(target: BuildTarget, planOnly: boolean): Promise<void> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const plans = compilePlan(config.tasks, target);
  const stage = join(ROOT, "dist", ".stage");
  const denort = Deno.env.get("DENORT_BIN");
  for (const plan of plans) {
    const entry = join(stage, `${plan.name}.ts`);
    const args = compileArgs(plan, target, entry);
    if (planOnly) {
      console.log(`${plan.name}:\n  deno ${args.join(" ")}`);
      continue;
    }
    await Deno.mkdir(stage, { recursive: true });
    await Deno.writeTextFile(entry, entrySource(plan, target));
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      stdin: "null",
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).output();
    const error = new TextDecoder().decode(stderr);
    if (!success) {
      if (denort === undefined && /denort|base binary|dl\.deno/i.test(error)) {
        throw new CompileError(denortMissingMessage());
      }
      const reason = error.split("\n").map((line) => line.trim())
        .filter((line) =>
          line && !/^(Stack backtrace|\d+: <unknown>)/.test(line)
        )
        .join(" ").replace(/^error: /, "");
      // A partial build (a CLI without its engine) is no build.
      await removeBuilt(plans, target);
      throw new CompileError(`Cannot compile ${plan.name}: ${reason}`);
    }
  }
  if (planOnly) return;
  try {
    await checkRuns(join(target.outDir, "agentos"), denort);
  } catch (error) {
    // Executables that cannot run must not be left where they would be used.
    await removeBuilt(plans, target);
    throw error;
  }
  for (const plan of plans) {
    const { size } = await Deno.stat(join(target.outDir, plan.name));
    console.log(
      `built ${join(target.outDir, plan.name)} (${(size / 1e6).toFixed(0)} MB)`,
    );
  }
  console.log(
    `for AGENTOS_HOME=${target.home} and AGENTOS_PYTHON=${target.python}`,
  );
}

async function removeBuilt(
  plans: BinaryPlan[],
  target: BuildTarget,
): Promise<void> {
  for (const plan of plans) {
    await Deno.remove(join(target.outDir, plan.name)).catch(() => {});
  }
}

/** Proves the runtime really is denort: the built CLI must answer as agentos. */
async function checkRuns(binary: string, denort?: string): Promise<void> {
  // Deno refuses writes to a file this process may run, and a build that
  // does not run must be removed: a child with only that run permission
  // runs it instead.
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "--no-prompt",
      `--allow-run=${binary}`,
      fileURLToPath(import.meta.url),
      "--run-version",
      binary,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (text === `agentos ${VERSION}`) return;
  const printed = (text || new TextDecoder().decode(output.stderr).trim())
    .split("\n")[0];
  throw new CompileError(
    `The built ${binary} does not run as agentos (it printed "${printed}"): DENORT_BIN="${
      denort ?? ""
    }" is not a denort runtime${
      /^deno \d/.test(printed ?? "") ? " but the deno CLI itself" : ""
    }. ${denortMissingMessage().replace(/^.*?Set /, "Set ")}`,
  );
}

if (import.meta.main && Deno.args[0] === "--run-version") {
  const { code, stdout, stderr } = await new Deno.Command(Deno.args[1]!, {
    args: ["--version"],
    stdin: "null",
  }).output();
  await Deno.stdout.write(stdout);
  await Deno.stderr.write(stderr);
  Deno.exit(code);
} else if (import.meta.main) {
  const planOnly = Deno.args.includes("--plan");
  try {
    await build({
      home: Deno.env.get("AGENTOS_HOME") ?? "",
      python: Deno.env.get("AGENTOS_PYTHON") ?? "",
      outDir: join(ROOT, "dist"),
    }, planOnly);
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    console.error(`compile: ${error.message}`);
    Deno.exit(1);
  }
}
