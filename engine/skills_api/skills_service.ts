/**
 * Opens the skill runtime (`openSkills`) as a sequence of named steps (the
 * parts are in `skill_runtime.ts`), registers the methods of
 * `engine/skills_api` on the engine, and gives the engine the runtime's
 * counts, status and close.
 *
 * @module
 */
import {
  type UpgradableVault,
  upgradeSkillRows,
} from "./skill_rows_upgrade.ts";
import { join, pathOf } from "../paths.ts";
import type { Engine } from "../engine.ts";
import { type Graph, SettingsStore } from "../graph/mod.ts";
import type { Sandbox } from "../sandbox/mod.ts";
import type {
  AuditSink,
  CapabilityBroker,
  CredentialSource,
  HttpBroker,
} from "../broker/mod.ts";
import { ClientModelDesk } from "../broker/mod.ts";
import type { SkillGrantStore } from "../grants/mod.ts";
import type { SkillRegistry } from "../skills/mod.ts";
import {
  type SkillRunner,
  type SparePool,
  WorkerProcess,
} from "../workers/mod.ts";
import { registerTable } from "../rpc/mod.ts";
import { registerSkillsMethods } from "./skills_methods.ts";
import { clientModelMethods } from "./client_model_methods.ts";
import { packagesMethods } from "./packages_methods.ts";
import { hostGrantMethods } from "./host_grant_methods.ts";
import { approvalMethods } from "./approval_methods.ts";
import { OnceGrants } from "./once_grants.ts";
import {
  type CredentialUsersVault,
  declaringSkills,
  recordRowUsers,
  usableDomains,
  type UsersVault,
} from "./credential_users.ts";
import {
  loadSkills,
  openCapabilities,
  openGrants,
  openHttpBroker,
  openRegistry,
  openRunner,
  openSparePool,
  type OwnerGrants,
  type SkillNodes,
  skillNodes,
} from "./skill_runtime.ts";

/** The bundled skills of a checkout (a compiled build passes its own copy). */
export const BUNDLED_SKILLS_DIR = pathOf(
  new URL("../../python/skills", import.meta.url),
);

/** Options for {@linkcode openSkills}. */
export interface SkillsOptions {
  /** The bundled skills (default {@linkcode BUNDLED_SKILLS_DIR}). */
  bundledDir?: string;
  /** Reads an environment variable (a seam for tests). */
  env?: (name: string) => string | undefined;
  /** The credentials vault (placeholders, `secrets.read`, provider order). */
  vault?:
    & CredentialSource
    & { domains(): Set<string> }
    & UpgradableVault
    & UsersVault
    & CredentialUsersVault
    & { useDeclaring(declaring: (domain: string) => string[]): void };
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
  const http = openHttpBroker(settings, env("AGENTOS_ORIGIN_MAP"), log);
  const pool = openSparePool(sandbox, env("AGENTOS_SPARE_WORKERS"), log);
  const registry = openRegistry(
    engine,
    sandbox,
    settings,
    options.bundledDir ?? BUNDLED_SKILLS_DIR,
  );
  const nodes = skillNodes(graph);
  const grants = openGrants(settings);
  const vaultDomains = () => options.vault?.domains() ?? new Set<string>();
  const ownKey = (skillId: string) =>
    (options.vault?.skillRows(skillId).length ?? 0) > 0;
  const packagesRoot = join(engine.paths.home, "skill-packages");
  const runner = openRunner(engine, graph, sandbox, {
    registry,
    pool,
    http,
    nodes,
    grants,
    vault: options.vault,
    audit: options.audit,
    packagesRoot,
  });
  const { vault } = options;
  const capabilities = openCapabilities(registry, runner, settings, {
    domains: (skillId) => usableDomains(vault?.list() ?? [], skillId),
    ownKey,
  });
  // Skill calls wait on `loaded`: the older rows are sorted, and the
  // skills that may use each are recorded, before any runs.
  const loaded = loadSkills(registry, sandbox, log, async () => {
    if (!vault) return;
    await upgradeSkillRows(vault, registry.list(), log);
    recordRowUsers(vault, registry.list(), log);
    vault.useDeclaring((domain) => declaringSkills(domain, registry.list()));
  });
  registerMethods(engine, graph, sandbox, {
    settings,
    registry,
    runner,
    capabilities,
    loaded,
    nodes,
    grants,
    vaultDomains,
    ownKey,
    credentialUsers: vault,
    packagesRoot,
    python: options.python ?? (env("AGENTOS_PYTHON") || "python3"),
    audit: options.audit,
  });
  if (sandbox.usable) pool.fill();
  engine.addService(skillsEngineService(registry, pool, http, loaded));
  return {
    registry,
    runner,
    capabilities,
    pool,
    loaded,
    grants: grants.egress,
  };
}

/** The runtime's parts the methods work on. */
interface MethodParts {
  settings: SettingsStore;
  registry: SkillRegistry;
  runner: SkillRunner;
  capabilities: CapabilityBroker;
  loaded: Promise<void>;
  nodes: SkillNodes;
  grants: OwnerGrants;
  vaultDomains: () => Set<string>;
  /** Whether the vault holds a skill's own credential. */
  ownKey: (skillId: string) => boolean;
  /** The vault's rows and who may use them (`--credential` grants). */
  credentialUsers?: CredentialUsersVault;
  packagesRoot: string;
  /** The interpreter that installs skill packages. */
  python: string;
  /** The audit trail (approval prompts' answers). */
  audit?: AuditSink;
}

/**
 * Registers `skills.*`, `capability.*` and `prefs.*`, then the host grant
 * and packages methods.
 */
function registerMethods(
  engine: Engine,
  graph: Graph,
  sandbox: Sandbox,
  parts: MethodParts,
): void {
  const { registry, loaded, grants } = parts;
  const clientModels = new ClientModelDesk();
  registerTable(engine.dispatcher, clientModelMethods(clientModels));
  const onceGrants = new OnceGrants();
  registerTable(
    engine.dispatcher,
    approvalMethods({
      registry,
      loaded,
      once: onceGrants,
      audit: parts.audit,
      sandbox,
      engineHome: engine.paths.home,
      reads: grants.reads,
    }),
  );
  registerSkillsMethods(engine.dispatcher, {
    clientModels,
    onceGrants,
    registry,
    runner: parts.runner,
    capabilities: parts.capabilities,
    settings: parts.settings,
    loaded,
    assertUsable: () => sandbox.assertUsable(),
    onSkillChanged: parts.nodes.changed,
    forgetState: parts.nodes.forgetState,
    grants: grants.egress,
    grantsOf: grants.of,
    grantDefaults: grants.defaults,
    vaultDomains: parts.vaultDomains,
    ownKey: parts.ownKey,
    credentialUsers: parts.credentialUsers,
    ...shapeFacts(graph),
    runGrants: grants.runs,
    readGrants: grants.reads,
    packagesRoot: parts.packagesRoot,
  });
  registerTable(
    engine.dispatcher,
    hostGrantMethods({
      registry,
      grants: grants.runs,
      reads: grants.reads,
      home: engine.paths.home,
      loaded,
    }),
  );
  registerTable(
    engine.dispatcher,
    packagesMethods({
      registry,
      loaded,
      python: parts.python,
      root: parts.packagesRoot,
    }),
  );
}

/** The loaded shapes, as the skill checks read them. */
function shapeFacts(graph: Graph) {
  return {
    shapeFacts: (name: string) => {
      const shape = graph.shapes.get(name);
      return shape && {
        fields: Object.keys(shape.fields),
        relations: Object.keys(shape.relations),
      };
    },
    shapeNames: () => graph.shapes.list().map((shape) => shape.name),
  };
}

/** The runtime's counts, status and close, for the engine. */
function skillsEngineService(
  registry: SkillRegistry,
  pool: SparePool,
  http: HttpBroker,
  loaded: Promise<void>,
): Parameters<Engine["addService"]>[0] {
  return {
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
  };
}

function skillCounts(
  skills: { enabled: boolean }[],
): { skills: number; skillsEnabled: number } {
  return {
    skills: skills.length,
    skillsEnabled: skills.filter((skill) => skill.enabled).length,
  };
}
