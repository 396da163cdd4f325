import { invalidParams } from "../errors.ts";

const ACTOR = /^(user|agent|app)(:[\w.@:/-]{1,100})?$/;

/**
 * The actor a client writes as: `user` (the default), `agent:<name>` or
 * `app:<name>`. Only the engine itself writes as `skill:<id>` or `system`.
 *
 * @throws {RpcError} InvalidParams for any other form
 */
export function actorParam(params: Record<string, unknown>): string {
  const actor = params.actor ?? "user";
  if (typeof actor !== "string" || !ACTOR.test(actor)) {
    throw invalidParams(
      `"actor" must be "user", "agent:<name>" or "app:<name>", got ${
        JSON.stringify(actor)?.slice(0, 100)
      }`,
    );
  }
  return actor;
}

/** Edge labels: snake_case verb phrases. */
export const LABEL_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
