import { join } from "./paths.ts";
/** Every path inside the engine's home directory (README: "The home directory"). */
export interface HomePaths {
  /** The home itself, e.g. `~/.agentos`. */
  home: string;
  /** `data/`, holding the database. */
  dataDir: string;
  /** `data/agentos.db`, the graph and the vault. */
  database: string;
  /** `data/shape-cache.json`, parsed shape files (derived; safe to delete). */
  shapeCache: string;
  /** `logs/`. */
  logsDir: string;
  /** `logs/engine.log`, the human-readable engine log. */
  engineLog: string;
  /** `logs/mcp.log`, the MCP proxy's log. */
  mcpLog: string;
  /** `logs/engine-io.jsonl`, one audit line per brokered operation. */
  ioLog: string;
  /** `engine.sock`, the JSON-RPC endpoint. */
  socket: string;
  /** `engine.pid`. */
  pidFile: string;
  /** `engine.lock`, flocked for the engine's whole life. */
  lockFile: string;
}

/**
 * Resolves the home directory: `AGENTOS_HOME` when set, else `~/.agentos`.
 *
 * @param env reads one environment variable (a seam for tests)
 * @returns the paths inside the home
 * @throws {TypeError} when neither variable gives an absolute path
 */
export function resolveHome(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): HomePaths {
  let home = env("AGENTOS_HOME") ?? "";
  if (home === "") {
    const userHome = env("HOME");
    home = userHome ? join(userHome, ".agentos") : "";
  }
  if (!home.startsWith("/")) {
    throw new TypeError(
      `Cannot resolve the AgentOS home "${home}": set AGENTOS_HOME to an absolute path`,
    );
  }
  return homePaths(home);
}

/**
 * The paths inside a given home directory.
 *
 * @param home an absolute directory path
 * @returns the paths
 */
export function homePaths(home: string): HomePaths {
  const dataDir = join(home, "data");
  const logsDir = join(home, "logs");
  return {
    home,
    dataDir,
    database: join(dataDir, "agentos.db"),
    shapeCache: join(dataDir, "shape-cache.json"),
    logsDir,
    engineLog: join(logsDir, "engine.log"),
    mcpLog: join(logsDir, "mcp.log"),
    ioLog: join(logsDir, "engine-io.jsonl"),
    socket: join(home, "engine.sock"),
    pidFile: join(home, "engine.pid"),
    lockFile: join(home, "engine.lock"),
  };
}

/**
 * Creates the home and its subdirectories with mode 0700, and tightens the
 * mode of a home that already exists: it holds credentials.
 *
 * @param paths the home's paths
 */
export function ensureHome(paths: HomePaths): void {
  for (const dir of [paths.home, paths.dataDir, paths.logsDir]) {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    Deno.chmodSync(dir, 0o700);
  }
}
