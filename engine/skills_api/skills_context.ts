/**
 * What the `skills.*` handlers work on: the skill runtime `openSkills`
 * wires, and what the handlers share (the gates of a method, the skill
 * checks, dropping a skill's grants).
 *
 * @module
 */
import {
  type CapabilityBroker,
  type ClientModelDesk,
  parseTemplate,
} from "../broker/mod.ts";
import {
  type CheckedProblem,
  checkSkill,
  type Discovery,
  type ShapeFacts,
  type SkillEntry,
  type SkillRegistry,
} from "../skills/mod.ts";
import {
  KeychainGrantStore,
  type ReadGrantStore,
  type RunGrantStore,
  SecretsGrants,
  type SkillGrants,
  type SkillGrantStore,
} from "../grants/mod.ts";
import type { SettingsStore } from "../graph/mod.ts";
import type { ParamSchema } from "../rpc/mod.ts";
import type { SkillRunner } from "../workers/mod.ts";
import { gatedMethod, type GatedSpec, type Handle } from "./gated_method.ts";
import type { OnceGrants } from "./once_grants.ts";
import type { CredentialUsersVault } from "./credential_users.ts";

/** What the methods work on. */
export interface SkillsMethodsContext {
  registry: SkillRegistry;
  /** `$AGENTOS_HOME/skill-packages` (for `skills.list`'s packages). */
  packagesRoot?: string;
  runner: SkillRunner;
  capabilities: CapabilityBroker;
  settings: SettingsStore;
  /** Resolves once the installed skills are loaded. */
  loaded: Promise<void>;
  /** Throws SandboxUnavailable when skills cannot run on this machine. */
  assertUsable: () => void;
  /** After a skill was added, changed state or removed (its graph node). */
  onSkillChanged: (skill: SkillEntry) => void;
  /** Forgets a removed skill's kept `__cache__`/`__data__`. */
  forgetState?: (skillId: string) => void;
  /** The owner's egress grants. */
  grants: SkillGrantStore;
  /** A skill's grants (with a bundled skill's defaults). */
  grantsOf: (skill: SkillEntry) => SkillGrants;
  /** Defaults of a skill's grants (bundled skills only). */
  grantDefaults: (
    skill: SkillEntry,
  ) => { hosts: string[]; openWeb: boolean } | undefined;
  /** The vault's domains (for `skills.list`). */
  vaultDomains: () => Set<string>;
  /** Whether the vault holds a skill's own credential (its skill namespace). */
  ownKey?: (skillId: string) => boolean;
  /** The vault's rows and which skills may use them (`--credential`). */
  credentialUsers?: CredentialUsersVault;
  /** A loaded shape's field and relation keys (for the skill checks). */
  shapeFacts: (name: string) => ShapeFacts | undefined;
  /** Every loaded shape's name. */
  shapeNames: () => string[];
  /** The owner's `--run` grants (for `skills.list`). */
  runGrants?: RunGrantStore;
  /** The owner's `--read` grants (for `skills.list`). */
  readGrants?: ReadGrantStore;
  /** The MCP clients' models (sampling), for calls that offer theirs. */
  clientModels?: ClientModelDesk;
  /** Grants the owner gave for one call ("allow once" in an MCP prompt). */
  onceGrants?: OnceGrants;
}

/** The context with what the handlers share. */
export interface SkillsHandlerContext extends SkillsMethodsContext {
  /** The owner's grants of real secret values. */
  secretsGrants: SecretsGrants;
  /** The owner's grants of keychain items. */
  keychainGrants: KeychainGrantStore;
  /** Resolves when skills can be listed (and, with true, run). */
  ready: (run?: boolean) => Promise<void>;
  /** A skill's problems, by the checks of `engine/skills`. */
  check: (read: Discovery) => CheckedProblem[];
  /** Drops everything the owner granted a skill id. */
  dropGrants: (id: string) => void;
  /** A method that waits for the installed skills to load. */
  needsSkills<P>(params: ParamSchema<P>, handle: Handle<P>): GatedSpec;
  /** A method that runs skill code: refused without a sandbox, then waits for the skills. */
  needsSandbox<P>(params: ParamSchema<P>, handle: Handle<P>): GatedSpec;
}

/**
 * Adds to the context what the handlers share.
 *
 * @param context the skill runtime
 * @returns the handlers' context
 */
export function handlerContext(
  context: SkillsMethodsContext,
): SkillsHandlerContext {
  const secretsGrants = new SecretsGrants(context.settings);
  const keychainGrants = new KeychainGrantStore(context.settings);
  // Methods that run skill code first check there is a sandbox to run it in.
  const ready = async (run = true) => {
    if (run) context.assertUsable();
    await context.loaded;
  };
  return {
    ...context,
    secretsGrants,
    keychainGrants,
    ready,
    check: (read) =>
      checkSkill(read, {
        shape: context.shapeFacts,
        shapeNames: context.shapeNames,
        authTemplate: templateRule,
      }),
    // Everything the owner granted a skill id: hosts, programs, real
    // secrets, keychain items, readable paths. Dropped when the skill is removed or replaced
    // from another folder (the grants were for the skill the owner knew).
    dropGrants: (id) => {
      context.grants.remove(id);
      context.runGrants?.remove(id);
      secretsGrants.set(id, false);
      keychainGrants.remove(id);
      context.readGrants?.remove(id);
    },
    needsSkills: (params, handle) =>
      gatedMethod(() => ready(false), params, handle),
    needsSandbox: (params, handle) =>
      gatedMethod(() => ready(), params, handle),
  };
}

/** Why the engine's auth template grammar refuses a template, or null. */
export function templateRule(source: string): string | null {
  try {
    parseTemplate(source);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
