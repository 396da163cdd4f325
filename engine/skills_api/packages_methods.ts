import { ErrorCode, invalidParams, RpcError } from "../errors.ts";
import { optionalString, type RpcDispatcher, stringParam } from "../rpc/mod.ts";
import {
  installPackages,
  packageState,
  type SkillRegistry,
} from "../skills/mod.ts";

/** What `skills.deps` works with. */
export interface PackagesMethodsContext {
  registry: SkillRegistry;
  /** Resolves once the installed skills are loaded. */
  loaded: Promise<void>;
  /** The real interpreter: pip runs as `python -m pip`. */
  python: string;
  /** `$AGENTOS_HOME/skill-packages`. */
  root: string;
}

/**
 * Registers `skills.deps {skill, index_url?, find_links?}`: installs the
 * Python packages a skill's readme declares (`requires:`), wheels only,
 * into its own hash-named directory, and `skills.deps_status {skill}`.
 *
 * @param dispatcher the engine's method table
 * @param context the registry, interpreter and packages root
 */
export function registerPackagesMethods(
  dispatcher: RpcDispatcher,
  context: PackagesMethodsContext,
): void {
  const installing = new Set<string>();
  dispatcher.register("skills.deps", async (params) => {
    await context.loaded;
    const skill = context.registry.get(stringParam(params, "skill"));
    const findLinks = optionalString(params, "find_links", 4096);
    const indexUrl = optionalString(params, "index_url", 4096);
    if (findLinks !== undefined && !/^(\/|https?:\/\/)/.test(findLinks)) {
      throw invalidParams(
        `"find_links" must be an absolute directory or an http(s) URL, got ${
          JSON.stringify(findLinks.slice(0, 200))
        }`,
      );
    }
    if (installing.has(skill.id)) {
      throw new RpcError(
        ErrorCode.Conflict,
        `The packages of skill "${skill.id}" are being installed already`,
      );
    }
    installing.add(skill.id);
    try {
      const lock = await installPackages(skill, {
        python: context.python,
        root: context.root,
        findLinks,
        indexUrl,
      });
      return { skill: skill.id, ...lock };
    } finally {
      installing.delete(skill.id);
    }
  });
  dispatcher.register("skills.deps_status", async (params) => {
    await context.loaded;
    const skill = context.registry.get(stringParam(params, "skill"));
    const state = await packageState(skill, context.root);
    return { skill: skill.id, ...state };
  });
}
