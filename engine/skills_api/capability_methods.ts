/**
 * The `capability.*` methods: list the capabilities, show a capability's
 * providers in the order they are tried (for a URL, when given), and invoke
 * one by name. Apps never name a skill.
 *
 * @module
 */
import { invalidParams } from "../errors.ts";
import {
  type MethodTable,
  param,
  type ParamReader,
  type RequestContext,
} from "../rpc/mod.ts";
import type {
  CapabilityBroker,
  ClientModel,
  ClientModelDesk,
} from "../broker/mod.ts";
import { booleanParam } from "./skill_params.ts";
import type { RunRequest } from "../workers/mod.ts";
import { gatedMethod } from "./gated_method.ts";
import type { OnceGrants } from "./once_grants.ts";
import { onceGrant } from "./skill_run_methods.ts";

/** What {@linkcode capabilityMethods} needs. */
export interface CapabilityMethodsContext {
  /** The capability broker. */
  capabilities: CapabilityBroker;
  /** Resolves when skills can be listed (and, with true, run). */
  ready: (run?: boolean) => Promise<void>;
  /** Cancellation and progress for one request. */
  callOptions: (
    ctx: RequestContext,
    clientModel?: ClientModel,
  ) => Pick<RunRequest, "signal" | "onProgress" | "clientModel">;
  /** The MCP clients' models (sampling), for calls that offer theirs. */
  clientModels?: ClientModelDesk;
  /** Grants the owner gave for one call ("allow once"). */
  onceGrants?: OnceGrants;
  /** Which calling skills a provider serves (null: any that declares the use). */
  servesSkills?: (skillId: string) => string | null;
}

/**
 * `capability.list`, `capability.providers {url?, name}` and
 * `capability.invoke {name, params?}`.
 *
 * @param context the broker and the readiness gate
 */
export function capabilityMethods(
  context: CapabilityMethodsContext,
): MethodTable {
  const { capabilities, ready, callOptions } = context;
  const listing = () => ready(false);
  const running = () => ready();
  return {
    "capability.list": gatedMethod(listing, {}, () => ({
      capabilities: capabilities.list(),
    })),

    "capability.providers": gatedMethod(
      listing,
      { url: urlParam, name: param.string() },
      ({ url, name }) =>
        capabilities.providers(name, { url }).map((provider) => {
          const serves = context.servesSkills?.(provider.skill) ?? null;
          return serves === null
            ? provider
            : { ...provider, servesSkills: serves };
        }),
    ),

    "capability.invoke": gatedMethod(
      running,
      {
        skill: noSkillParam,
        name: param.string(),
        params: param.optionalObject(),
        clientModel: booleanParam(false),
        once: param.optionalString(100),
      },
      async ({ name, params, clientModel, once }, request) =>
        await capabilities.invoke(name, params, {
          ...callOptions(
            request,
            clientModel ? context.clientModels?.channel(request) : undefined,
          ),
          ...onceGrant(context.onceGrants, once),
        }),
    ),
  };
}

/** An optional URL to pick providers for (any string; absent reads as undefined). */
const urlParam: ParamReader<string | undefined> = (params, key) => {
  const url = params[key];
  if (url !== undefined && typeof url !== "string") {
    throw invalidParams(`"url" must be a string, got ${JSON.stringify(url)}`);
  }
  return url;
};

/** `capability.invoke` refuses a skill: the engine picks the provider. */
const noSkillParam: ParamReader<undefined> = (params, key) => {
  if (params[key] !== undefined) {
    throw invalidParams(
      `capability.invoke takes no "skill": the engine picks the provider (set a preference with prefs.set capability.<name>)`,
    );
  }
  return undefined;
};
