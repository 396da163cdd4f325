import { ErrorCode, RpcError } from "../errors.ts";
import type { Sandbox } from "../sandbox/mod.ts";

/** One parameter of a tool, read from its signature and docstring. */
export interface ParamInfo {
  name: string;
  /** JSON Schema type (`string`, `integer`…), or null when not hinted. */
  type: string | null;
  required: boolean;
  default: unknown;
  description: string | null;
}

/** One tool, as `worker_main.py --discover` describes it. */
export interface ToolInfo {
  name: string;
  file: string;
  line: number;
  description: string;
  doc: string;
  params: ParamInfo[];
  provides: string[];
  provides_options: Record<string, unknown>;
  returns: string | Record<string, unknown> | null;
  timeout: number | null;
  connection: string[] | null;
  claims: string[];
  tests: { params: Record<string, unknown>; [key: string]: unknown }[];
  test_skip: { reason: string | null } | null;
  is_async: boolean;
  /** Whether it takes `**params` (absent from older discoveries). */
  kwargs?: boolean;
  /** Keys of the dict literals it returns, or null when none are literal. */
  return_keys?: string[] | null;
}

/** One module-level `connection(...)` declaration. */
export interface ConnectionInfo {
  name: string;
  base_url: string | null;
  domain: string | null;
  auth: unknown;
  description: string | null;
  label: string | null;
  help_url: string | null;
  optional: unknown;
  client: unknown;
  file: string;
  line: number;
  [key: string]: unknown;
}

/** Something wrong with a skill, where it is. */
export interface Problem {
  file: string;
  line: number | null;
  reason: string;
  /** Absent for discovery's own problems, which are all errors. */
  severity?: "error" | "warning";
}

/** A skill's description, read from its source without running it. */
export interface Discovery {
  front_matter: Record<string, unknown>;
  tools: ToolInfo[];
  connections: ConnectionInfo[];
  url_literals: string[];
  imports: string[];
  /** Capabilities the source calls by a literal name (`capability.call("x")`, `llm.oneshot`). */
  capability_calls?: string[];
  problems: Problem[];
  /** What the source shows beyond discovery's problems (banned imports, missing await…). */
  findings?: Problem[];
  /** Brokered services the code uses (`http`, `sql`…), with the first use. */
  services?: Record<string, { file: string; line: number }>;
  /** Imported modules that are neither the standard library, the SDK nor the skill's own. */
  foreign_imports?: {
    module: string;
    file: string;
    line: number;
    /** Imported only under `try: … except ImportError:`: the skill runs without it. */
    optional?: boolean;
  }[];
  /** Programs named by a literal at a `shell.run` call site. */
  shell_programs?: { program: string; file: string; line: number }[];
}

/** A skill's files as text: its readme and `.py` sources by relative path. */
export interface SkillFiles {
  readme: string | null;
  sources: Record<string, string>;
}

/** Longest a discovery process may run. */
const DISCOVERY_TIMEOUT_MS = 20_000;

/** Most bytes a discovery process may print (sources up to 4 MiB, escaped). */
const MAX_DISCOVERY_OUTPUT = 32 * 1024 * 1024;

/**
 * Reads and describes a skill directory. The reading and the parsing both
 * happen in a sandboxed interpreter with the directory bound read-only at
 * `/skill`: the engine never reads the directory itself (its permissions
 * do not reach there) and untrusted source is only ever parsed confined.
 *
 * @param sandbox the sandbox
 * @param dir an absolute host directory
 * @returns the description and the files' text
 * @throws {RpcError} NotFound for a missing directory; SandboxUnavailable; SkillFailed
 */
export async function readSkillDir(
  sandbox: Sandbox,
  dir: string,
): Promise<Discovery & SkillFiles> {
  return await runDiscovery(sandbox, dir) as Discovery & SkillFiles;
}

async function runDiscovery(sandbox: Sandbox, dir: string): Promise<unknown> {
  const { program, args, env, cwd, release } = sandbox.command({
    kind: "read-dir",
    dir,
  });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      env,
      cwd,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    await release();
    throw new RpcError(
      ErrorCode.SandboxUnavailable,
      `Cannot start skill discovery: ${(error as Error).message}`,
    );
  }
  // Its cgroup goes as soon as it exits, whatever it left behind.
  const released = child.status.then(() => release());
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }, DISCOVERY_TIMEOUT_MS);
  try {
    const [stdout, stderr, status] = await Promise.all([
      readCapped(
        child.stdout,
        MAX_DISCOVERY_OUTPUT,
        () => child.kill("SIGKILL"),
      ),
      new Response(child.stderr).text(),
      child.status,
    ]);
    const where = ` of "${dir}"`;
    if (!status.success) throw discoveryFailure(dir, status, stderr);
    try {
      return JSON.parse(stdout);
    } catch {
      throw new RpcError(
        ErrorCode.SkillFailed,
        `Skill discovery${where} printed something that is not JSON`,
      );
    }
  } finally {
    clearTimeout(timer);
    await released;
  }
}

/** Why discovery failed, naming the real cause. */
function discoveryFailure(
  dir: string,
  status: Deno.CommandStatus,
  stderr: string,
): RpcError {
  const where = ` of "${dir}"`;
  // The launcher (exit 71) failed before bubblewrap ran: a cgroup or a
  // limit, never the skill's directory. Name that cause.
  if (status.code === 71 && /agentos sandbox: /.test(stderr)) {
    return new RpcError(
      ErrorCode.SandboxUnavailable,
      `The sandbox could not start skill discovery${where}: ${
        stderr.trim().slice(-500)
      }`,
    );
  }
  // bwrap names a missing bind source; --read-dir exits 3 for one.
  if (status.code === 3 || /Can't find source path|No such file/.test(stderr)) {
    return new RpcError(
      ErrorCode.NotFound,
      `Skill directory "${dir}" does not exist or is not a directory`,
    );
  }
  return new RpcError(
    ErrorCode.SkillFailed,
    `Skill discovery${where} failed (${
      status.signal ?? `exit code ${status.code}`
    }): ${stderr.trim().slice(-500)}`,
  );
}

async function readCapped(
  stream: ReadableStream<Uint8Array>,
  max: number,
  onOverflow: () => void,
): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > max) {
      try {
        onOverflow();
      } catch {
        // Already exited.
      }
      continue;
    }
    parts.push(chunk);
  }
  if (size > max) {
    throw new RpcError(
      ErrorCode.SkillFailed,
      `Skill discovery printed more than ${max} bytes`,
    );
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder().decode(all);
}
