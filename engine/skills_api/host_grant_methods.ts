/**
 * What the owner lets a skill use of this machine:
 * `skills.allow_run {skill, program, path, cwd?, config?, home?, net?,
 * write?, writeBytes?, pin?}`
 * (one program it declares; the CLI resolves `path`),
 * `skills.disallow_run {skill, program}`, `skills.allow_read {skill, path,
 * home?, pin?}` (a local database file or directory for `sql.query`) and
 * `skills.disallow_read {skill, path}`. Nothing may reach into the engine's
 * own home.
 *
 * @module
 */
import { invalidParams } from "../errors.ts";
import {
  type MethodTable,
  optionalString,
  param,
  type ParamReader,
  stringParam,
} from "../rpc/mod.ts";
import type { SkillEntry, SkillRegistry } from "../skills/mod.ts";
import {
  MAX_GRANT_WRITE_BYTES,
  type ReadGrantStore,
  type RunGrantStore,
} from "../grants/mod.ts";
import { gatedMethod } from "./gated_method.ts";
import { flagParam, skillParam } from "./skill_params.ts";

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
 * `skills.allow_run`, `skills.disallow_run`, `skills.allow_read` and
 * `skills.disallow_read`.
 *
 * @param context the registry, the grant stores and the engine home
 */
export function hostGrantMethods(
  context: HostGrantMethodsContext,
): MethodTable {
  const loaded = () => context.loaded;
  const skill = skillParam(context.registry);
  const outside = (path: string) => outsideHome(context.home, path);
  return {
    "skills.allow_run": gatedMethod(loaded, {
      skill,
      program: param.string(100),
      config: configParam,
      cwd: param.optionalString(4096),
      path: param.string(4096),
      // Read after cwd is checked against the home (the order of the checks).
      home: param.raw(),
      net: flagParam,
      // --write: the folder is read-only without it; --write-limit in bytes.
      write: flagParam,
      writeBytes: param.optionalInteger(MAX_GRANT_WRITE_BYTES),
      // device:inode of cwd when granted: another inode there is refused.
      pin: param.optionalString(64),
    }, (params) => allowRun(context, outside, params)),

    "skills.disallow_run": gatedMethod(
      loaded,
      { skill, program: param.string(100) },
      ({ skill, program }) => ({
        skill: skill.id,
        program,
        removed: context.grants.disallow(skill.id, program),
      }),
    ),

    "skills.allow_read": gatedMethod(
      loaded,
      {
        skill,
        path: (params, key) => outside(stringParam(params, key, 4096)),
        home: presentPathParam,
        // device:inode when granted: the runner refuses another inode there.
        pin: param.optionalString(64),
      },
      ({ skill, path, home, pin }) => ({
        skill: skill.id,
        reads: context.reads.allow(skill.id, path, home, pin),
      }),
    ),

    "skills.disallow_read": gatedMethod(
      loaded,
      { skill, path: param.string(4096) },
      ({ skill, path }) => ({
        skill: skill.id,
        path,
        removed: context.reads.disallow(skill.id, path),
      }),
    ),
  };
}

/** What `skills.allow_run` is asked. */
interface AllowRun {
  skill: SkillEntry;
  program: string;
  config: string[];
  cwd: string | undefined;
  path: string;
  home: unknown;
  net: boolean;
  write: boolean;
  writeBytes: number | undefined;
  pin: string | undefined;
}

function allowRun(
  context: HostGrantMethodsContext,
  outside: (path: string) => string,
  params: AllowRun,
) {
  const { skill, program, cwd } = params;
  const grant = context.grants.allow(skill.id, program, {
    path: params.path,
    cwd: cwd === undefined ? undefined : outside(cwd),
    home: optionalString({ home: params.home }, "home", 4096),
    config: params.config.map(outside),
    net: params.net,
    ...(params.write ? { write: true } : {}),
    ...(params.writeBytes !== undefined
      ? { writeBytes: params.writeBytes }
      : {}),
    ...(params.pin !== undefined ? { pin: params.pin } : {}),
  });
  return { skill: skill.id, program, grant };
}

/**
 * A path no skill may be granted: the engine's home, inside it, or a
 * directory holding it.
 *
 * @throws {RpcError} InvalidParams for such a path
 */
function outsideHome(engineHome: string, path: string): string {
  const home = engineHome.replace(/\/+$/, "");
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
}

/** The directories a program reads its configuration from (at most 16). */
const configParam: ParamReader<string[]> = (params, key) => {
  const config = params[key] ?? [];
  if (
    !Array.isArray(config) || config.length > 16 ||
    !config.every((c) => typeof c === "string")
  ) {
    throw invalidParams(`"config" must be a list of at most 16 directories`);
  }
  return config as string[];
};

/** An optional path: only absence reads as undefined (null is refused). */
const presentPathParam: ParamReader<string | undefined> = (params, key) =>
  params[key] === undefined ? undefined : stringParam(params, key, 4096);
