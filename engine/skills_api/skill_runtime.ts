/**
 * The parts of the skill runtime, each opened by one step of `openSkills`:
 * the HTTP broker with its origin maps, the spare workers, the registry,
 * the skills' graph nodes, the owner's grants, the runner with its SQL and
 * shell brokers, the capability broker, and the background load of the
 * installed skills.
 *
 * @module
 */
import { join } from "../paths.ts";
import type { Engine } from "../engine.ts";
import type { Graph, SettingsStore } from "../graph/mod.ts";
import type { Sandbox } from "../sandbox/mod.ts";
import {
  type AuditSink,
  CapabilityBroker,
  type CredentialSource,
  DEFAULT_GUARD_BUDGET_MS,
  HttpBroker,
  labelOriginMap,
  type OriginMap,
  parseOriginMap,
  ShellBroker,
  SqlBroker,
} from "../broker/mod.ts";
import {
  bundledGrantDefaults,
  KeychainGrantStore,
  ReadGrantStore,
  RunGrantStore,
  SecretsGrants,
  type SkillGrants,
  SkillGrantStore,
} from "../grants/mod.ts";
import {
  type SkillEntry,
  SkillRegistry,
  writeSkillNode,
} from "../skills/mod.ts";
import { SkillRunner, SparePool, WorkerProcess } from "../workers/mod.ts";

/** Spare workers kept when `AGENTOS_SPARE_WORKERS` is unset. */
export const DEFAULT_SPARE_WORKERS = 2;
const MAX_SPARE_WORKERS = 32;

/**
 * The HTTP broker, with the origin maps of `prefs http.origin_map` (read
 * again when it changes; a broken one is ignored with a warning) and of
 * `AGENTOS_ORIGIN_MAP`, and the guard budget of `prefs
 * http.guard_budget_ms`.
 */
export function openHttpBroker(
  settings: SettingsStore,
  envRaw: string | undefined,
  log: Engine["log"],
): HttpBroker {
  const envOriginMap = readEnvOriginMap(envRaw, log);
  let prefsRaw: unknown;
  let prefsMap: OriginMap = new Map();
  return new HttpBroker({
    originMaps: () => {
      const raw = settings.get("prefs.http.origin_map");
      if (raw !== prefsRaw) {
        prefsRaw = raw;
        try {
          prefsMap = raw === undefined
            ? new Map()
            : labelOriginMap(parseOriginMap(raw), "prefs http.origin_map");
        } catch (error) {
          log.warn("Ignoring prefs http.origin_map", {
            error: (error as Error).message,
          });
          prefsMap = new Map();
        }
      }
      return [prefsMap, envOriginMap];
    },
    guardBudgetMs: () => {
      const raw = settings.get("prefs.http.guard_budget_ms");
      return Number.isInteger(raw) && (raw as number) >= 1
        ? raw as number
        : DEFAULT_GUARD_BUDGET_MS;
    },
  });
}

/** The spare workers, as many as `AGENTOS_SPARE_WORKERS` says. */
export function openSparePool(
  sandbox: Sandbox,
  envRaw: string | undefined,
  log: Engine["log"],
): SparePool {
  return new SparePool({
    size: spareWorkers(envRaw, log),
    spawn: () => WorkerProcess.spawn(sandbox.command({ kind: "worker" })),
    park: sandbox.kind === "bubblewrap"
      ? () =>
        WorkerProcess.spawn(
          sandbox.command({ kind: "worker" }, sandbox.limits, { parked: true }),
        )
      : undefined,
    log,
  });
}

/** The installed skills: the bundled ones and the home's snapshots. */
export function openRegistry(
  engine: Engine,
  sandbox: Sandbox,
  settings: SettingsStore,
  bundledDir: string,
): SkillRegistry {
  return new SkillRegistry({
    sandbox,
    settings,
    bundledDir,
    snapshotsDir: join(engine.paths.home, "skills"),
    onProblem: (message, fields) => engine.log.warn(message, fields),
  });
}

/** The skills' nodes in the graph. */
export interface SkillNodes {
  /** The skill's node, written at its first call. */
  nodeOf: (skill: Parameters<typeof writeSkillNode>[1]) => string;
  /** After a skill was added, changed state or removed. */
  changed: (skill: SkillEntry) => void;
  /** Forgets a removed skill's kept state: a skill added later under its id is another. */
  forgetState: (skillId: string) => void;
}

/**
 * Skills' nodes in the graph. A skill's node is written at its first call
 * of this engine run (it is the provenance of the records the call
 * returns) and kept up to date from then on; an engine that runs no skill
 * writes nothing.
 */
export function skillNodes(graph: Graph): SkillNodes {
  const nodes = new Map<string, string>();
  return {
    nodeOf: (skill) => {
      let id = nodes.get(skill.id);
      if (id === undefined) {
        id = writeSkillNode(graph, skill);
        nodes.set(skill.id, id);
      }
      return id;
    },
    changed: (skill) => {
      if (nodes.has(skill.id)) {
        nodes.set(skill.id, writeSkillNode(graph, skill));
      }
    },
    forgetState: (skillId) => {
      graph.store.write(
        "system",
        (tx) =>
          tx.query("DELETE FROM skill_state WHERE skill = ? RETURNING skill", [
            skillId,
          ]),
      );
    },
  };
}

/** The owner's grants of skills. */
export interface OwnerGrants {
  /** Hosts and the open web. */
  egress: SkillGrantStore;
  /** Real secret values. */
  secrets: SecretsGrants;
  /** Defaults of a skill's egress grants (bundled skills only). */
  defaults: (
    skill: SkillEntry,
  ) => { hosts: string[]; openWeb: boolean } | undefined;
  /** A skill's egress grants (with a bundled skill's defaults). */
  of: (skill: SkillEntry) => SkillGrants;
  /** Programs it may run (`--run`). */
  runs: RunGrantStore;
  /** Local databases it may read (`--read`). */
  reads: ReadGrantStore;
  /** Keychain items it may read (`--keychain`). */
  keychain: KeychainGrantStore;
}

/** The owner's grants: hosts, real secrets, programs and readable paths. */
export function openGrants(settings: SettingsStore): OwnerGrants {
  const egress = new SkillGrantStore(settings);
  const defaults = (skill: SkillEntry) =>
    skill.origin === "bundled"
      ? bundledGrantDefaults(skill.discovery)
      : undefined;
  return {
    egress,
    secrets: new SecretsGrants(settings),
    defaults,
    of: (skill: SkillEntry) => egress.get(skill.id, defaults(skill)),
    runs: new RunGrantStore(settings),
    reads: new ReadGrantStore(settings),
    keychain: new KeychainGrantStore(settings),
  };
}

/** The parts {@linkcode openRunner} wires the runner to. */
export interface RunnerParts {
  registry: SkillRegistry;
  pool: SparePool;
  http: HttpBroker;
  nodes: SkillNodes;
  grants: OwnerGrants;
  /** The credentials vault. */
  vault?: CredentialSource;
  /** The audit trail. */
  audit?: AuditSink;
  /** `$AGENTOS_HOME/skill-packages`. */
  packagesRoot: string;
}

/** The runner of skill calls, with its SQL and shell brokers. */
export function openRunner(
  engine: Engine,
  graph: Graph,
  sandbox: Sandbox,
  { registry, pool, http, nodes, grants, vault, audit, packagesRoot }:
    RunnerParts,
): SkillRunner {
  return new SkillRunner({
    registry,
    pool,
    sandbox,
    graph,
    http,
    log: engine.log,
    skillNode: nodes.nodeOf,
    grants: grants.of,
    realValues: (skill) => grants.secrets.has(skill.id),
    vault,
    sql: new SqlBroker({
      sandbox,
      graphPath: engine.paths.database,
      skillDataDir: join(engine.paths.home, "skill-data"),
      engineHome: engine.paths.home,
    }),
    shell: new ShellBroker({
      sandbox,
      engineHome: engine.paths.home,
      stageDir: join(engine.paths.home, "grant-stage"),
      // --net programs' proxy sockets (the engine writes only its home).
      socketDir: join(engine.paths.home, "run"),
      guard: () => http.offThreadGuard(),
    }),
    runGrants: (skill) => grants.runs.get(skill.id),
    readGrants: (skill) => grants.reads.get(skill.id),
    keychainGrants: (skill) => grants.keychain.get(skill.id),
    packages: {
      root: packagesRoot,
      spawn: (dir) =>
        WorkerProcess.spawn(
          sandbox.command({ kind: "worker", packagesDir: dir }),
        ),
    },
    audit,
  });
}

/** The capability broker; skill code invokes capabilities through it. */
export function openCapabilities(
  registry: SkillRegistry,
  runner: SkillRunner,
  settings: SettingsStore,
  vault: {
    domains: (skillId: string) => Set<string>;
    ownKey: (skillId: string) => boolean;
  },
): CapabilityBroker {
  const capabilities = new CapabilityBroker(
    registry,
    runner,
    settings,
    vault.domains,
    vault.ownKey,
  );
  runner.invokeCapability = (name, params, invokeOptions) =>
    capabilities.invoke(name, params, invokeOptions);
  return capabilities;
}

/**
 * Loads the installed skills in the background (none without a sandbox),
 * then runs `after` (the vault's one-time sorting of older rows, which
 * needs the skills' declarations).
 */
export function loadSkills(
  registry: SkillRegistry,
  sandbox: Sandbox,
  log: Engine["log"],
  after: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const loaded = sandbox.usable
    ? registry.load().then(() => {
      log.info("Skills loaded", {
        skills: registry.list().length,
        withProblems: registry.list().filter((s) =>
          s.discovery.problems.length > 0
        ).map((s) => s.id),
      });
    }).then(after)
    : Promise.resolve();
  loaded.catch((error) => log.error("Loading skills failed", { error }));
  return loaded;
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
    return labelOriginMap(parseOriginMap(raw), "AGENTOS_ORIGIN_MAP");
  } catch (error) {
    log.warn("Ignoring AGENTOS_ORIGIN_MAP", {
      error: (error as Error).message,
    });
    return new Map();
  }
}
