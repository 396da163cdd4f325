import { invalidParams } from "../errors.ts";
import { type RpcDispatcher, stringParam } from "../rpc/mod.ts";
import type { RunGrantStore, SkillRegistry } from "../skills/mod.ts";

/** What `skills.allow_run` and `skills.disallow_run` work with. */
export interface RunMethodsContext {
  registry: SkillRegistry;
  grants: RunGrantStore;
  /** Resolves once the installed skills are loaded. */
  loaded: Promise<void>;
}

/**
 * Registers `skills.allow_run {skill, program, path, cwd?, config?, home?,
 * net?}` (the owner lets a skill run one program it declares; the CLI
 * resolves `path`) and `skills.disallow_run {skill, program}`.
 *
 * @param dispatcher the engine's method table
 * @param context the registry and the run grants
 */
export function registerRunMethods(
  dispatcher: RpcDispatcher,
  context: RunMethodsContext,
): void {
  dispatcher.register("skills.allow_run", async (params) => {
    await context.loaded;
    const skill = context.registry.get(stringParam(params, "skill"));
    const program = stringParam(params, "program", 100);
    const config = params.config ?? [];
    if (
      !Array.isArray(config) || config.length > 16 ||
      !config.every((c) => typeof c === "string")
    ) {
      throw invalidParams(`"config" must be a list of at most 16 directories`);
    }
    const optional = (key: string) =>
      params[key] === undefined || params[key] === null
        ? undefined
        : stringParam(params, key, 4096);
    const grant = context.grants.allow(skill.id, program, {
      path: stringParam(params, "path", 4096),
      cwd: optional("cwd"),
      home: optional("home"),
      config: config as string[],
      net: params.net === true,
    });
    return { skill: skill.id, program, grant };
  });
  dispatcher.register("skills.disallow_run", async (params) => {
    await context.loaded;
    const skill = context.registry.get(stringParam(params, "skill"));
    const program = stringParam(params, "program", 100);
    return {
      skill: skill.id,
      program,
      removed: context.grants.disallow(skill.id, program),
    };
  });
}
