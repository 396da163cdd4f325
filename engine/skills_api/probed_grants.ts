/**
 * A refused program or `--read` grant as the person would be asked for it
 * (#27): resolved on the host by the sandboxed probe (`host_probe.ts`)
 * the way `agentos skills allow` resolves it, so the prompt shows, and the
 * grant holds, the real path — never the skill's text.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import { expandHome, type ReadGrantStore } from "../grants/mod.ts";
import { engineFileIds } from "../broker/mod.ts";
import {
  probeProgram,
  probeReadPath,
  type ProbeSandbox,
} from "./host_probe.ts";

/** What resolving a grant needs. */
export interface ProbeContext {
  /** The skill sandbox; without one nothing is probed, so nothing offered. */
  sandbox?: ProbeSandbox;
  /** `$AGENTOS_HOME`: never offered, nor anything in it or holding it. */
  engineHome: string;
  /** The owner's `--read` grants (the home a skill's `~` means). */
  reads: ReadGrantStore;
}

/** A program grant, resolved. */
export interface ProbedProgram {
  kind: "program";
  skill: string;
  program: string;
  path: string;
}

/** A `--read` grant, resolved. */
export interface ProbedRead {
  kind: "read";
  skill: string;
  path: string;
  pin: string;
}

/**
 * Resolves a program name: its real path in the program directories,
 * refused for an interpreter, a script or a copy of one.
 *
 * @param context the sandbox
 * @param grant the skill and the program it ran
 * @returns the grant with the real path
 * @throws {RpcError} Forbidden with the reason it is not offered
 */
export async function probedProgram(
  context: ProbeContext,
  grant: { skill: string; program: string },
): Promise<ProbedProgram> {
  const sandbox = usable(context);
  const path = await probeProgram(sandbox, grant.program);
  return { kind: "program", skill: grant.skill, program: grant.program, path };
}

/**
 * Resolves a path a skill asked to read: `~` is the owner's home as their
 * earlier grants recorded it; links are followed inside the path's
 * top-level folder only. A path that is, holds or lies in the engine's
 * home, or that names a link (a grant of its target would not cover the
 * name the skill reads), is refused.
 *
 * @param context the sandbox, the engine home and the read grants
 * @param grant the skill and the path as it named it
 * @returns the grant with the real path and its pin
 * @throws {RpcError} Forbidden with the reason it is not offered
 */
export async function probedRead(
  context: ProbeContext,
  grant: { skill: string; path: string },
): Promise<ProbedRead> {
  const sandbox = usable(context);
  const home = context.reads.get(grant.skill).home;
  const named = expandHome(grant.path, home);
  if (!named.startsWith("/")) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `"${
        grant.path.slice(0, 200)
      }" names the owner's home, which the engine does not know yet`,
      { check: "probe" },
    );
  }
  const found = await probeReadPath(sandbox, named, {
    home: context.engineHome,
    ids: await engineFileIds(context.engineHome),
  });
  if (found.path !== named) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `"${named.slice(0, 200)}" is a link to ${
        found.path.slice(0, 200)
      }: the skill must name the real path`,
      { check: "probe" },
    );
  }
  return { kind: "read", skill: grant.skill, path: found.path, pin: found.pin };
}

function usable(context: ProbeContext): ProbeSandbox {
  if (!context.sandbox) {
    throw new RpcError(
      ErrorCode.Forbidden,
      "No sandbox to resolve the grant in",
      { check: "probe" },
    );
  }
  return context.sandbox;
}
