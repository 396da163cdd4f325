/**
 * The `skills.*` catalog verbs: list the installed skills, grant and take
 * back hosts, the open web and real secrets, add, validate, remove,
 * enable and disable. `registerSkillsMethods` registers them with the
 * run verbs (`skill_run_methods.ts`), `capability.*` and `prefs.*`.
 *
 * @module
 */
import { ErrorCode, invalidParams, RpcError } from "../errors.ts";
import {
  type MethodTable,
  param,
  registerTable,
  type RpcDispatcher,
} from "../rpc/mod.ts";
import {
  type AddedSkill,
  type CheckedProblem,
  refuseBadUrlPatterns,
  type SkillEntry,
  unavailableTools,
} from "../skills/mod.ts";
import { grantHostFor } from "../grants/mod.ts";
import { prefsMethods } from "./prefs_methods.ts";
import { capabilityMethods } from "./capability_methods.ts";
import { servesSkills } from "./serves_skills.ts";
import { callOptions, skillRunMethods } from "./skill_run_methods.ts";
import {
  grantsView,
  keychainView,
  secretsView,
  skillView,
  storedCredentials,
} from "./skill_view.ts";
import {
  handlerContext,
  type SkillsHandlerContext,
  type SkillsMethodsContext,
  templateRule,
} from "./skills_context.ts";
import { booleanParam, flagParam, skillParam } from "./skill_params.ts";
import { changeCredentialGrant } from "./credential_grant.ts";
import {
  allowedDomains,
  unsharedDomains,
  usableDomains,
} from "./credential_users.ts";
import { refuseBadTemplates, refuseUnrunnable } from "./add_rule.ts";
import { packagesView } from "./packages_view.ts";

export type { SkillsMethodsContext } from "./skills_context.ts";

/**
 * Registers `skills.*`, `capability.*` and `prefs.*`.
 *
 * @param dispatcher the engine's method table
 * @param context the skill runtime
 */
export function registerSkillsMethods(
  dispatcher: RpcDispatcher,
  context: SkillsMethodsContext,
): void {
  const ctx = handlerContext(context);
  registerTable(dispatcher, skillsMethods(ctx));
  registerTable(dispatcher, skillRunMethods(ctx));
  registerTable(
    dispatcher,
    capabilityMethods({
      capabilities: context.capabilities,
      ready: ctx.ready,
      callOptions,
      clientModels: context.clientModels,
      onceGrants: context.onceGrants,
      servesSkills: (id) => servesSkills(ctx, ctx.registry.get(id)),
    }),
  );
  registerTable(
    dispatcher,
    prefsMethods({
      settings: context.settings,
      skills: () => context.registry.list(),
      loaded: context.loaded,
    }),
  );
}

/**
 * The catalog verbs: `skills.list`, `skills.allow`, `skills.disallow`,
 * `skills.add`, `skills.validate`, `skills.remove`, `skills.enable` and
 * `skills.disable`.
 *
 * @param ctx the skill runtime and what the handlers share
 */
export function skillsMethods(ctx: SkillsHandlerContext): MethodTable {
  const { needsSkills, needsSandbox } = ctx;
  const grantChange = {
    skill: skillParam(ctx.registry),
    secrets: flagParam,
    host: param.raw(),
    open_web: param.raw(),
    keychain: param.raw(),
    credential: param.raw(),
  };
  return {
    "skills.list": needsSkills({}, () => listSkills(ctx)),
    "skills.allow": needsSkills(
      grantChange,
      (params) => changeGrant(ctx, "allow", params),
    ),
    "skills.disallow": needsSkills(
      grantChange,
      (params) => changeGrant(ctx, "disallow", params),
    ),
    "skills.add": needsSandbox({
      path: param.string(4096),
      // force (`agentos skills add --force`): add even a skill that cannot
      // run at all. The rule is the same for every caller (add_rule.ts).
      force: booleanParam(false),
      replace: booleanParam(false),
    }, (params) => addSkill(ctx, params)),
    "skills.validate": needsSandbox(
      { path: param.string(4096) },
      (params) => validateSkill(ctx, params),
    ),
    "skills.remove": needsSkills(
      { id: param.string() },
      (params) => removeSkill(ctx, params),
    ),
    "skills.enable": needsSkills(
      { id: param.string() },
      ({ id }) => setEnabled(ctx, id, true),
    ),
    "skills.disable": needsSkills(
      { id: param.string() },
      ({ id }) => setEnabled(ctx, id, false),
    ),
  };
}

async function listSkills(ctx: SkillsHandlerContext) {
  const rows = ctx.credentialUsers?.list() ?? [];
  const root = ctx.packagesRoot;
  return {
    skills: await Promise.all(
      ctx.registry.list().map(async (skill) => ({
        ...skillView(skill, ctx.grantsOf(skill), {
          // Only the credentials it may use count as stored for it.
          vaultDomains: usableDomains(rows, skill.id),
          unshared: unsharedDomains(skill, rows),
          credentialsAllowed: allowedDomains(rows, skill.id),
          ownKey: ctx.ownKey?.(skill.id) ?? false,
          runGrants: ctx.runGrants?.get(skill.id),
          readGrants: ctx.readGrants?.get(skill.id),
          secretsGranted: ctx.secretsGrants.has(skill.id),
          keychainGrants: ctx.keychainGrants.get(skill.id),
          unavailable: unavailableTools(skill.discovery, ctx.check),
        }),
        serves_skills: servesSkills(ctx, skill),
        packages: root === undefined ? null : await packagesView(skill, root),
      })),
    ),
  };
}

/** What `skills.allow` and `skills.disallow` change: one of host, open web, secrets. */
interface GrantChange {
  skill: SkillEntry;
  secrets: boolean;
  host: unknown;
  open_web: unknown;
  keychain: unknown;
  credential: unknown;
}

function changeGrant(
  ctx: SkillsHandlerContext,
  verb: "allow" | "disallow",
  change: GrantChange,
) {
  if (change.credential !== undefined) {
    return changeCredentialGrant(ctx, verb, change);
  }
  if (change.keychain !== undefined) {
    return changeKeychainGrant(ctx, verb, change);
  }
  return change.secrets
    ? changeSecretsGrant(ctx, verb, change)
    : changeEgressGrant(ctx, verb, change);
}

/** `--keychain <item>`: one declared keychain item, granted or taken back. */
function changeKeychainGrant(
  ctx: SkillsHandlerContext,
  verb: "allow" | "disallow",
  { skill, keychain, host, open_web, secrets }: GrantChange,
) {
  if (host !== undefined || open_web !== undefined || secrets) {
    throw invalidParams(
      `skills.${verb} takes "keychain" alone, one item at a time`,
    );
  }
  if (typeof keychain !== "string" || keychain === "") {
    throw invalidParams(`"keychain" must be a keychain item's name`);
  }
  const granted = ctx.keychainGrants.set(skill, keychain, verb === "allow");
  return {
    skill: skill.id,
    keychain: keychainView(skill, granted),
  };
}

function changeSecretsGrant(
  ctx: SkillsHandlerContext,
  verb: "allow" | "disallow",
  { skill, host, open_web }: GrantChange,
) {
  if (host !== undefined || open_web !== undefined) {
    throw invalidParams(
      `skills.${verb} takes "host", "open_web": true or "secrets": true, one at a time`,
    );
  }
  ctx.secretsGrants.set(skill.id, verb === "allow");
  return {
    skill: skill.id,
    secrets: secretsView(skill, ctx.secretsGrants.has(skill.id)),
    grants: grantsView(skill, ctx.grantsOf(skill)),
  };
}

function changeEgressGrant(
  ctx: SkillsHandlerContext,
  verb: "allow" | "disallow",
  { skill, host: hostParam, open_web }: GrantChange,
) {
  const allow = verb === "allow";
  const openWeb = open_web === true;
  const host = hostParam === undefined || hostParam === null
    ? undefined
    : grantHostFor(skill, hostParam, !allow);
  if ((host === undefined) === !openWeb) {
    throw invalidParams(
      `skills.${verb} takes either "host" or "open_web": true`,
    );
  }
  if (allow && openWeb && !skill.egress.openWeb) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skill.id}" does not declare open_web in its readme, so it cannot be granted the open web; grant single hosts instead: agentos skills allow ${skill.id} <host>`,
    );
  }
  const change = { host, openWeb };
  const defaults = ctx.grantDefaults(skill);
  const grants = allow
    ? ctx.grants.allow(skill.id, change, defaults)
    : ctx.grants.disallow(skill.id, change, defaults);
  return { skill: skill.id, grants: grantsView(skill, grants) };
}

async function addSkill(
  ctx: SkillsHandlerContext,
  { path, force, replace }: {
    path: string;
    force: boolean;
    replace: boolean;
  },
) {
  let problems: CheckedProblem[] = [];
  const added = await ctx.registry.add(path, {
    replace,
    check: (read, id) => {
      refuseBadUrlPatterns(id, read);
      problems = ctx.check(read);
      if (force) return;
      refuseBadTemplates(id, read, templateRule);
      refuseUnrunnable(id, read, problems);
    },
  });
  const { skill } = added;
  // The owner granted hosts to the skill they knew, not to this one; the
  // credentials it was allowed stay (the same skill, upgraded: the same
  // key to the same domains), and the answer says so.
  if (added.replaced !== undefined) ctx.dropGrants(skill.id);
  ctx.onSkillChanged(skill);
  const rows = ctx.credentialUsers?.list() ?? [];
  return {
    id: skill.id,
    name: skill.name,
    updated: added.updated,
    ...replacedView(added, allowedDomains(rows, skill.id)),
    // The stored credentials its connections will use, and those stored
    // for other skills that it will not until the owner allows them.
    credentials: storedCredentials(
      skill,
      usableDomains(rows, skill.id),
      ctx.ownKey?.(skill.id) ?? false,
    ),
    credentials_not_shared: unsharedDomains(skill, rows),
    deferred: added.deferred,
    tools: skill.discovery.tools.map((tool) => tool.name),
    problems,
  };
}

/** What `skills.add --replace` says of the skill it replaced. */
function replacedView(added: AddedSkill, credentials: string[]) {
  if (added.replaced === undefined) return {};
  return {
    replaced: {
      dir: added.replaced,
      grants: "dropped (hosts, programs, secrets, paths, keychain items)",
      credentials_kept: credentials,
    },
  };
}

async function validateSkill(
  ctx: SkillsHandlerContext,
  { path }: { path: string },
) {
  const { id, read } = await ctx.registry.inspect(path);
  return {
    id,
    tools: read.tools.map((tool) => tool.name),
    problems: ctx.check(read),
  };
}

async function removeSkill(ctx: SkillsHandlerContext, { id }: { id: string }) {
  const skill = await ctx.registry.remove(id);
  ctx.dropGrants(skill.id);
  // A skill added later under this id is not the one the owner allowed
  // (`--replace` keeps them: the same skill, upgraded).
  ctx.credentialUsers?.forgetUser(skill.id);
  // Nor is its kept state that skill's.
  ctx.forgetState?.(skill.id);
  skill.enabled = false;
  ctx.onSkillChanged(skill);
  return { id: skill.id, removed: true };
}

function setEnabled(ctx: SkillsHandlerContext, id: string, enabled: boolean) {
  const skill = ctx.registry.setEnabled(id, enabled);
  ctx.onSkillChanged(skill);
  return { id: skill.id, enabled: skill.enabled };
}
