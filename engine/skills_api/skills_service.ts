import { join, pathOf } from "../paths.ts";
import type { Engine } from "../engine.ts";
import type { Graph } from "../graph/mod.ts";
import type { Sandbox } from "../sandbox/mod.ts";
import { CapabilityBroker } from "../broker/mod.ts";
import type { AuditSink } from "../broker/mod.ts";
import { bundledGrantDefaults } from "../grants/mod.ts";
import { HttpBroker } from "../broker/mod.ts";
import { type OriginMap, parseOriginMap } from "../broker/mod.ts";
import { SettingsStore } from "../graph/mod.ts";
import type { CredentialSource } from "../broker/mod.ts";
import {
  ReadGrantStore,
  RunGrantStore,
  SecretsGrants,
  SkillGrantStore,
} from "../grants/mod.ts";
import { type SkillEntry, SkillRegistry } from "../skills/mod.ts";
import { SkillRunner } from "../workers/mod.ts";
import { registerSkillsMethods } from "./skills_methods.ts";
import { packagesMethods } from "./packages_methods.ts";
import { hostGrantMethods } from "./host_grant_methods.ts";
import { registerTable } from "../rpc/mod.ts";
import { writeSkillNode } from "../skills/mod.ts";
import { SparePool } from "../workers/mod.ts";
import { ShellBroker, SqlBroker } from "../broker/mod.ts";
import { WorkerProcess } from "../workers/mod.ts";

/** The bundled skills of a checkout (a compiled build passes its own copy). */
export const BUNDLED_SKILLS_DIR = pathOf(
  new URL("../../python/skills", import.meta.url),
);

/** Spare workers kept when `AGENTOS_SPARE_WORKERS` is unset. */
export const DEFAULT_SPARE_WORKERS = 2;
const MAX_SPARE_WORKERS = 32;

/** Options for {@linkcode openSkills}. */
export interface SkillsOptions {
  /** The bundled skills (default {@linkcode BUNDLED_SKILLS_DIR}). */
  bundledDir?: string;
  /** Reads an environment variable (a seam for tests). */
  env?: (name: string) => string | undefined;
  /** The credentials vault (placeholders, `secrets.read`, provider order). */
  vault?: CredentialSource & { domains(): Set<string> };
  /** The audit trail: one line per brokered op and per call. */
  audit?: AuditSink;
  /** The interpreter that installs skill packages (default `AGENTOS_PYTHON` or `python3`). */
  python?: string;
}

/** The running skill runtime. */
export interface SkillsService {
  registry: SkillRegistry;
  runner: SkillRunner;
  capabilities: CapabilityBroker;
  pool: SparePool;
  /** Resolves once the installed skills are loaded. */
  loaded: Promise<void>;
  /** The owner's egress grants. */
  grants: SkillGrantStore;
}

/**
 * Starts the skill runtime: the spare worker pool, the registry (loaded in
 * the background, so the socket opens without waiting for discovery), the
 * HTTP and SQL brokers, the owner's grants, the capability broker, and the
 * `skills.*`, `capability.*` and `prefs.*` methods.
 *
 * @param engine the engine being started
 * @param graph the open graph (records and the skills' own nodes go there)
 * @param sandbox how workers are confined
 * @param options the vault, the audit trail, the bundled skills and seams
 * @returns the service parts
 */
export function openSkills(
  engine: Engine,
  graph: Graph,
  sandbox: Sandbox,
  options: SkillsOptions = {},
): SkillsService {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const log = engine.log;
  const settings = new SettingsStore(graph.store.db);
  const envOriginMap = readEnvOriginMap(env("AGENTOS_ORIGIN_MAP"), log);
  let prefsRaw: unknown;
  let prefsMap: OriginMap = new Map();
  const http = new HttpBroker({
    originMaps: () => {
      const raw = settings.get("prefs.http.origin_map");
      if (raw !== prefsRaw) {
        prefsRaw = raw;
        try {
          prefsMap = raw === undefined ? new Map() : parseOriginMap(raw);
        } catch (error) {
          log.warn("Ignoring prefs http.origin_map", {
            error: (error as Error).message,
          });
          prefsMap = new Map();
        }
      }
      return [prefsMap, envOriginMap];
    },
  });
  const pool = new SparePool({
    size: spareWorkers(env("AGENTOS_SPARE_WORKERS"), log),
    spawn: () => WorkerProcess.spawn(sandbox.command({ kind: "worker" })),
    log,
  });
  const registry = new SkillRegistry({
    sandbox,
    settings,
    bundledDir: options.bundledDir ?? BUNDLED_SKILLS_DIR,
    snapshotsDir: join(engine.paths.home, "skills"),
    onProblem: (message, fields) => log.warn(message, fields),
  });
  const nodes = new Map<string, string>();
  const skillNode = (skill: Parameters<typeof writeSkillNode>[1]) => {
    let id = nodes.get(skill.id);
    if (id === undefined) {
      id = writeSkillNode(graph, skill);
      nodes.set(skill.id, id);
    }
    return id;
  };
  const grants = new SkillGrantStore(settings);
  const secretsGrants = new SecretsGrants(settings);
  const grantDefaults = (skill: SkillEntry) =>
    skill.origin === "bundled"
      ? bundledGrantDefaults(skill.discovery)
      : undefined;
  const grantsOf = (skill: SkillEntry) =>
    grants.get(skill.id, grantDefaults(skill));
  const vault = options.vault;
  const vaultDomains = () => vault?.domains() ?? new Set<string>();
  const sql = new SqlBroker({
    sandbox,
    graphPath: engine.paths.database,
    skillDataDir: join(engine.paths.home, "skill-data"),
  });
  const packagesRoot = join(engine.paths.home, "skill-packages");
  const runGrants = new RunGrantStore(settings);
  const readGrants = new ReadGrantStore(settings);
  const shell = new ShellBroker({ sandbox });
  const runner = new SkillRunner({
    registry,
    pool,
    sandbox,
    graph,
    http,
    log,
    skillNode,
    grants: grantsOf,
    realValues: (skill) => secretsGrants.has(skill.id),
    vault,
    sql,
    shell,
    runGrants: (skill) => runGrants.get(skill.id),
    readGrants: (skill) => readGrants.get(skill.id),
    packages: {
      root: packagesRoot,
      spawn: (dir) =>
        WorkerProcess.spawn(
          sandbox.command({ kind: "worker", packagesDir: dir }),
        ),
    },
    audit: options.audit,
  });
  const capabilities = new CapabilityBroker(
    registry,
    runner,
    settings,
    vaultDomains,
  );
  runner.invokeCapability = (name, params, invokeOptions) =>
    capabilities.invoke(name, params, invokeOptions);
  const loaded = sandbox.usable
    ? registry.load().then(() => {
      log.info("Skills loaded", {
        skills: registry.list().length,
        withProblems: registry.list().filter((s) =>
          s.discovery.problems.length > 0
        ).map((s) => s.id),
      });
    })
    : Promise.resolve();
  loaded.catch((error) => log.error("Loading skills failed", { error }));
  registerSkillsMethods(engine.dispatcher, {
    registry,
    runner,
    capabilities,
    settings,
    loaded,
    assertUsable: () => sandbox.assertUsable(),
    // A skill's node is written at its first call of this engine run (it is
    // the provenance of the records the call returns) and kept up to date
    // from then on; an engine that runs no skill writes nothing.
    onSkillChanged: (skill) => {
      if (nodes.has(skill.id)) {
        nodes.set(skill.id, writeSkillNode(graph, skill));
      }
    },
    grants,
    grantsOf,
    grantDefaults,
    vaultDomains,
    shapeFacts: (name) => {
      const shape = graph.shapes.get(name);
      return shape && {
        fields: Object.keys(shape.fields),
        relations: Object.keys(shape.relations),
      };
    },
    shapeNames: () => graph.shapes.list().map((shape) => shape.name),
    runGrants,
    readGrants,
  });
  registerTable(
    engine.dispatcher,
    hostGrantMethods({
      registry,
      grants: runGrants,
      reads: readGrants,
      home: engine.paths.home,
      loaded,
    }),
  );
  registerTable(
    engine.dispatcher,
    packagesMethods({
      registry,
      loaded,
      python: options.python ?? (env("AGENTOS_PYTHON") || "python3"),
      root: packagesRoot,
    }),
  );
  if (sandbox.usable) pool.fill();
  engine.addService({
    counts: () => ({
      ...skillCounts(registry.list()),
      ...pool.counts(),
    }),
    status: () => ({
      spareWorkers: { size: pool.size, readyPids: pool.sparePids() },
    }),
    close: async () => {
      await loaded.catch(() => {});
      await pool.close();
      await WorkerProcess.reaped();
      await http.close();
    },
  });
  return { registry, runner, capabilities, pool, loaded, grants };
}

function spareWorkers(
  raw: string | undefined,
  log: Engine["log"],
): number {
  if (raw === undefined || raw === "") return DEFAULT_SPARE_WORKERS;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 0 && n <= MAX_SPARE_WORKERS) return n;
  log.warn("Ignoring AGENTOS_SPARE_WORKERS", {
    value: raw,
    expected: `an integer from 0 to ${MAX_SPARE_WORKERS}`,
  });
  return DEFAULT_SPARE_WORKERS;
}

function readEnvOriginMap(
  raw: string | undefined,
  log: Engine["log"],
): OriginMap {
  if (raw === undefined || raw.trim() === "") return new Map();
  try {
    return parseOriginMap(raw);
  } catch (error) {
    log.warn("Ignoring AGENTOS_ORIGIN_MAP", {
      error: (error as Error).message,
    });
    return new Map();
  }
}

function skillCounts(
  skills: { enabled: boolean }[],
): { skills: number; skillsEnabled: number } {
  return {
    skills: skills.length,
    skillsEnabled: skills.filter((skill) => skill.enabled).length,
  };
}
