/**
 * The `capability.*` methods: list the capabilities, show a capability's
 * providers in the order they are tried (for a URL, when given), and invoke
 * one by name. Apps never name a skill.
 *
 * @module
 */
import { invalidParams } from "../errors.ts";
import {
  objectParam,
  type RequestContext,
  type RpcDispatcher,
  stringParam,
} from "../rpc/mod.ts";
import type { CapabilityBroker } from "../broker/mod.ts";
import type { RunRequest } from "../workers/mod.ts";

/** What {@linkcode registerCapabilityMethods} needs. */
export interface CapabilityMethodsContext {
  /** The capability broker. */
  capabilities: CapabilityBroker;
  /** Resolves when skills can be listed (and, with true, run). */
  ready: (run?: boolean) => Promise<void>;
  /** Cancellation and progress for one request. */
  callOptions: (
    ctx: RequestContext,
  ) => Pick<RunRequest, "signal" | "onProgress">;
}

/**
 * Registers `capability.list`, `capability.providers` and `capability.invoke`.
 *
 * @param dispatcher the engine's dispatcher
 * @param context the broker and the readiness gate
 */
export function registerCapabilityMethods(
  dispatcher: RpcDispatcher,
  context: CapabilityMethodsContext,
): void {
  const { capabilities, ready, callOptions } = context;
  dispatcher.register("capability.list", async () => {
    await ready(false);
    return { capabilities: capabilities.list() };
  });

  dispatcher.register("capability.providers", async (params) => {
    await ready(false);
    const url = params.url;
    if (url !== undefined && typeof url !== "string") {
      throw invalidParams(`"url" must be a string, got ${JSON.stringify(url)}`);
    }
    return capabilities.providers(stringParam(params, "name"), { url });
  });

  dispatcher.register("capability.invoke", async (params, ctx) => {
    await ready();
    if (params.skill !== undefined) {
      throw invalidParams(
        `capability.invoke takes no "skill": the engine picks the provider (set a preference with prefs.set capability.<name>)`,
      );
    }
    return await capabilities.invoke(
      stringParam(params, "name"),
      objectParam(params, "params", true),
      callOptions(ctx),
    );
  });
}
