/**
 * A skill's Python packages: `skills.deps {skill, find_links?, index_url?}`
 * installs the packages its readme declares (`requires:`), wheels only,
 * into its own hash-named directory; `skills.deps_status {skill}` says
 * what is installed.
 *
 * @module
 */
import { ErrorCode, invalidParams, RpcError } from "../errors.ts";
import { type MethodTable, param } from "../rpc/mod.ts";
import {
  installPackages,
  packageState,
  type SkillEntry,
  type SkillRegistry,
} from "../skills/mod.ts";
import { gatedMethod } from "./gated_method.ts";
import { skillParam } from "./skill_params.ts";

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
 * `skills.deps` and `skills.deps_status`.
 *
 * @param context the registry, interpreter and packages root
 */
export function packagesMethods(context: PackagesMethodsContext): MethodTable {
  const loaded = () => context.loaded;
  const skill = skillParam(context.registry);
  // One install per skill at a time: they would share its directory.
  const installing = new Set<string>();
  return {
    "skills.deps": gatedMethod(loaded, {
      skill,
      find_links: param.optionalString(4096),
      index_url: param.optionalString(4096),
    }, (params) => installDeps(context, installing, params)),

    "skills.deps_status": gatedMethod(
      loaded,
      { skill },
      async ({ skill }) => ({
        skill: skill.id,
        ...await packageState(skill, context.root),
      }),
    ),
  };
}

async function installDeps(
  context: PackagesMethodsContext,
  installing: Set<string>,
  { skill, find_links: findLinks, index_url: indexUrl }: {
    skill: SkillEntry;
    find_links: string | undefined;
    index_url: string | undefined;
  },
) {
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
}
