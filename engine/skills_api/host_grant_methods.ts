import { invalidParams } from "../errors.ts";
import { type RpcDispatcher, stringParam } from "../rpc/mod.ts";
import type { SkillRegistry } from "../skills/mod.ts";
import type { ReadGrantStore, RunGrantStore } from "../grants/mod.ts";

/** What the host grant methods work with. */
export interface HostGrantMethodsContext {
  registry: SkillRegistry;
  grants: RunGrantStore;
  reads: ReadGrantStore;
  /** `$AGENTOS_HOME`: no grant may reach into it. */
  home: string;
  /** Resolves once the installed skills are loaded. */
  loaded: Promise<void>;
}

/**
 * Registers what the owner lets a skill use of this machine:
 * `skills.allow_run {skill, program, path, cwd?, config?, home?, net?}`
 * (one program it declares; the CLI resolves `path`),
 * `skills.disallow_run {skill, program}`, `skills.allow_read {skill, path,
 * home?}` (a local database file or directory for `sql.query`) and
 * `skills.disallow_read {skill, path}`. Nothing may reach into the engine's
 * own home.
 *
 * @param dispatcher the engine's method table
 * @param context the registry, the grant stores and the engine home
 */
export function registerHostGrantMethods(
  dispatcher: RpcDispatcher,
  context: HostGrantMethodsContext,
): void {
  const outsideHome = (path: string) => {
    const home = context.home.replace(/\/+$/, "");
    if (
      path === home || path.startsWith(`${home}/`) ||
      home.startsWith(`${path}/`)
    ) {
      throw invalidParams(
        `"${
          path.slice(0, 200)
        }" holds or is inside the engine's home (${home}): no skill may reach it`,
      );
    }
    return path;
  };
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
    const cwd = optional("cwd");
    const grant = context.grants.allow(skill.id, program, {
      path: stringParam(params, "path", 4096),
      cwd: cwd === undefined ? undefined : outsideHome(cwd),
      home: optional("home"),
      config: (config as string[]).map(outsideHome),
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
  dispatcher.register("skills.allow_read", async (params) => {
    await context.loaded;
    const skill = context.registry.get(stringParam(params, "skill"));
    const path = outsideHome(stringParam(params, "path", 4096));
    const home = params.home === undefined
      ? undefined
      : stringParam(params, "home", 4096);
    return {
      skill: skill.id,
      reads: context.reads.allow(skill.id, path, home),
    };
  });
  dispatcher.register("skills.disallow_read", async (params) => {
    await context.loaded;
    const skill = context.registry.get(stringParam(params, "skill"));
    const path = stringParam(params, "path", 4096);
    return {
      skill: skill.id,
      path,
      removed: context.reads.disallow(skill.id, path),
    };
  });
}
