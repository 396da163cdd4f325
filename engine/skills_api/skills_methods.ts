import { didYouMean } from "../closest_word.ts";
import { ErrorCode, invalidParams, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import {
  objectParam,
  registerTable,
  type RequestContext,
  type RpcDispatcher,
  stringParam,
} from "../rpc/mod.ts";
import type { CapabilityBroker } from "../broker/mod.ts";
import { HttpTape } from "../broker/mod.ts";
import {
  type CheckedProblem,
  checkSkill,
  type Discovery,
  type ShapeFacts,
  type SkillEntry,
  type SkillRegistry,
  unavailableTools,
} from "../skills/mod.ts";
import {
  grantHostFor,
  type ReadGrantStore,
  type RunGrantStore,
  SecretsGrants,
  type SkillGrants,
  type SkillGrantStore,
} from "../grants/mod.ts";
import { type SettingsStore } from "../graph/mod.ts";
import { prefsMethods } from "./prefs_methods.ts";
import { registerCapabilityMethods } from "./capability_methods.ts";
import {
  grantsView,
  secretsView,
  skillView,
  storedCredentials,
} from "./skill_view.ts";
import type { RunRequest, SkillRunner } from "../workers/mod.ts";

/** What the methods work on. */
export interface SkillsMethodsContext {
  registry: SkillRegistry;
  runner: SkillRunner;
  capabilities: CapabilityBroker;
  settings: SettingsStore;
  /** Resolves once the installed skills are loaded. */
  loaded: Promise<void>;
  /** Throws SandboxUnavailable when skills cannot run on this machine. */
  assertUsable: () => void;
  /** After a skill was added, changed state or removed (its graph node). */
  onSkillChanged: (skill: SkillEntry) => void;
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
  /** A loaded shape's field and relation keys (for the skill checks). */
  shapeFacts: (name: string) => ShapeFacts | undefined;
  /** Every loaded shape's name. */
  shapeNames: () => string[];
  /** The owner's `--run` grants (for `skills.list`). */
  runGrants?: RunGrantStore;
  /** The owner's `--read` grants (for `skills.list`). */
  readGrants?: ReadGrantStore;
}

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
  const { registry, runner, capabilities, settings } = context;
  const secretsGrants = new SecretsGrants(settings);
  // Everything the owner granted a skill id: hosts, programs, real
  // secrets, readable paths. Dropped when the skill is removed or replaced
  // from another folder (the grants were for the skill the owner knew).
  const dropGrants = (id: string) => {
    context.grants.remove(id);
    context.runGrants?.remove(id);
    secretsGrants.set(id, false);
    context.readGrants?.remove(id);
  };
  // Methods that run skill code first check there is a sandbox to run it in.
  const ready = async (run = true) => {
    if (run) context.assertUsable();
    await context.loaded;
  };

  dispatcher.register("skills.list", async () => {
    await ready(false);
    const domains = context.vaultDomains();
    return {
      skills: registry.list().map((skill) =>
        skillView(skill, context.grantsOf(skill), {
          vaultDomains: domains,
          runGrants: context.runGrants?.get(skill.id),
          readGrants: context.readGrants?.get(skill.id),
          secretsGranted: secretsGrants.has(skill.id),
          unavailable: unavailableTools(skill.discovery, check),
        })
      ),
    };
  });

  for (const [verb, allow] of [["allow", true], ["disallow", false]] as const) {
    dispatcher.register(`skills.${verb}`, async (params) => {
      await ready(false);
      const skill = registry.get(stringParam(params, "skill"));
      if (params.secrets === true) {
        if (params.host !== undefined || params.open_web !== undefined) {
          throw invalidParams(
            `skills.${verb} takes "host", "open_web": true or "secrets": true, one at a time`,
          );
        }
        secretsGrants.set(skill.id, allow);
        return {
          skill: skill.id,
          secrets: secretsView(skill, secretsGrants.has(skill.id)),
          grants: grantsView(skill, context.grantsOf(skill)),
        };
      }
      const openWeb = params.open_web === true;
      const host = params.host === undefined || params.host === null
        ? undefined
        : grantHostFor(skill, params.host, !allow);
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
      const defaults = context.grantDefaults(skill);
      const grants = allow
        ? context.grants.allow(skill.id, change, defaults)
        : context.grants.disallow(skill.id, change, defaults);
      return { skill: skill.id, grants: grantsView(skill, grants) };
    });
  }

  const check = (read: Discovery) =>
    checkSkill(read, {
      shape: context.shapeFacts,
      shapeNames: context.shapeNames,
    });

  dispatcher.register("skills.add", async (params) => {
    await ready();
    const path = stringParam(params, "path", 4096);
    // strict (what `agentos skills add` sends unless --force): refuse a
    // skill with errors. Without it the skill is added with its problems.
    const strict = params.strict === true;
    const replace = params.replace ?? false;
    if (typeof replace !== "boolean") {
      throw invalidParams(`"replace" must be a boolean`);
    }
    let problems: CheckedProblem[] = [];
    const added = await registry.add(path, {
      replace,
      check: (read, id) => {
        problems = check(read);
        const errors = problems.filter((p) => p.severity === "error").length;
        if (errors > 0 && strict) {
          throw new RpcError(
            ErrorCode.InvalidParams,
            `Skill ${id} has ${errors} problem${
              errors === 1 ? "" : "s"
            }; not added (fix them, or add it anyway with --force)`,
            { id, problems },
          );
        }
      },
    });
    const { skill } = added;
    // The owner granted hosts to the skill they knew, not to this one.
    if (added.replaced !== undefined) dropGrants(skill.id);
    context.onSkillChanged(skill);
    return {
      id: skill.id,
      name: skill.name,
      updated: added.updated,
      ...(added.replaced !== undefined
        ? {
          replaced: {
            dir: added.replaced,
            grants: "dropped (hosts, programs, secrets, paths)",
            // Credentials belong to domains, not skills: say which stored
            // ones the replacement's connections will use.
            credentials: storedCredentials(skill, context.vaultDomains()),
          },
        }
        : {}),
      deferred: added.deferred,
      tools: skill.discovery.tools.map((tool) => tool.name),
      problems,
    };
  });

  dispatcher.register("skills.validate", async (params) => {
    await ready();
    const { id, read } = await registry.inspect(
      stringParam(params, "path", 4096),
    );
    return {
      id,
      tools: read.tools.map((tool) => tool.name),
      problems: check(read),
    };
  });

  dispatcher.register("skills.remove", async (params) => {
    await ready(false);
    const skill = await registry.remove(stringParam(params, "id"));
    dropGrants(skill.id);
    skill.enabled = false;
    context.onSkillChanged(skill);
    return { id: skill.id, removed: true };
  });

  for (const [method, enabled] of [["enable", true], ["disable", false]]) {
    dispatcher.register(`skills.${method}`, async (params) => {
      await ready(false);
      const skill = registry.setEnabled(
        stringParam(params, "id"),
        enabled as boolean,
      );
      context.onSkillChanged(skill);
      return { id: skill.id, enabled: skill.enabled };
    });
  }

  dispatcher.register("skills.run", async (params, ctx) => {
    await ready();
    const remember = params.remember ?? true;
    if (typeof remember !== "boolean") {
      throw invalidParams(`"remember" must be a boolean`);
    }
    const run = await runner.run({
      skill: stringParam(params, "skill"),
      tool: stringParam(params, "tool"),
      params: objectParam(params, "params", true),
      remember,
      ...callOptions(ctx),
    });
    return {
      result: run.result,
      records: run.records,
      callId: run.callId,
      ms: run.ms,
      ...(run.secrets.length > 0 ? { secrets: run.secrets } : {}),
      ...(run.output === undefined ? {} : { output: run.output }),
    };
  });

  dispatcher.register("skills.test", async (params, ctx) => {
    await ready();
    const skill = registry.get(stringParam(params, "skill"));
    const only = params.tool === undefined || params.tool === null
      ? undefined
      : stringParam(params, "tool");
    const tools = skill.discovery.tools.filter((t) =>
      only === undefined || t.name === only
    );
    if (only !== undefined && tools.length === 0) {
      throw new RpcError(
        ErrorCode.NotFound,
        `Skill "${skill.id}" has no tool "${only}"${
          didYouMean(only, skill.discovery.tools.map((t) => t.name))
        }`,
      );
    }
    if (params.record === true && params.replay !== undefined) {
      throw invalidParams(`skills.test takes "record" or "replay", not both`);
    }
    const tape = params.record === true
      ? HttpTape.record()
      : params.replay !== undefined && params.replay !== null
      ? HttpTape.replay(params.replay)
      : undefined;
    const cases: Record<string, unknown>[] = [];
    for (const tool of tools) {
      if (tool.test_skip) {
        cases.push({
          tool: tool.name,
          case: 0,
          status: "skipped",
          reason: tool.test_skip.reason,
        });
        continue;
      }
      for (const [index, testCase] of tool.tests.entries()) {
        const started = performance.now();
        const missesBefore = tape?.misses.length ?? 0;
        try {
          const run = await runner.run({
            skill: skill.id,
            tool: tool.name,
            params: isObject(testCase.params) ? testCase.params : {},
            remember: false,
            tape,
            ...callOptions(ctx),
          });
          const result = run.result;
          // A skill that swallowed a replay miss still fails its case.
          const miss = tape?.misses[missesBefore];
          const failed = (isObject(result) && "_error" in result) ||
            miss !== undefined;
          cases.push({
            tool: tool.name,
            case: index,
            params: testCase.params,
            status: failed ? "failed" : "passed",
            ms: run.ms,
            ...(miss
              ? {
                error:
                  `Replay has no recorded response for ${miss.method} ${miss.url}`,
              }
              : failed
              ? { error: String((result as Record<string, unknown>)._error) }
              : {}),
          });
        } catch (error) {
          if (!(error instanceof RpcError)) throw error;
          cases.push({
            tool: tool.name,
            case: index,
            params: testCase.params,
            status: "failed",
            ms: Math.round(performance.now() - started),
            error: error.message,
            ...failureDetail(error.data),
          });
        }
      }
    }
    const count = (status: string) =>
      cases.filter((c) => c.status === status).length;
    return {
      skill: skill.id,
      // A skill with errors fails its test run even when no case could run.
      problems: check(skill.discovery).filter((p) => p.severity === "error"),
      cases,
      passed: count("passed"),
      failed: count("failed"),
      skipped: count("skipped"),
      ...(tape?.mode === "record"
        ? { recording: tape.recording(skill.id) }
        : {}),
      ...(tape?.mode === "replay" ? { unrecorded: tape.misses } : {}),
    };
  });

  registerCapabilityMethods(dispatcher, {
    capabilities,
    ready,
    callOptions,
  });

  registerTable(
    dispatcher,
    prefsMethods({
      settings,
      skills: () => registry.list(),
      loaded: context.loaded,
    }),
  );
}

function callOptions(
  ctx: RequestContext,
): Pick<RunRequest, "signal" | "onProgress"> {
  return {
    signal: ctx.signal,
    onProgress: (report) => ctx.notify("skills.progress", report),
  };
}

/** The traceback and printed output a failed call's error carries. */
function failureDetail(data: unknown): Record<string, string> {
  if (!isObject(data)) return {};
  const out: Record<string, string> = {};
  for (const key of ["traceback", "output"]) {
    if (typeof data[key] === "string") out[key] = data[key] as string;
  }
  return out;
}
