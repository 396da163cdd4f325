import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { ErrorCode, RpcError } from "../engine/mod.ts";
import { limitedJson } from "./bridge_limits.ts";
import type { BridgeEnv, BridgeServices } from "./bridge_env.ts";
import { readJsonObject } from "./json_body.ts";

const CAPABILITY_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * `/capability`: invokes a capability through the engine, which picks the
 * provider. An app names the capability, never a skill.
 *
 * * `POST /capability/:name` with the params object as body (empty = `{}`)
 *   → `{result, provider, attempts}`
 *
 * @param services the engine and the limits
 * @returns the router
 */
export function capabilityRoutes(services: BridgeServices): Hono<BridgeEnv> {
  const { engine, limits } = services;
  return new Hono<BridgeEnv>()
    .post("/:name", async (c) => {
      const name = c.req.param("name");
      if (!CAPABILITY_PATTERN.test(name)) {
        throw new HTTPException(400, {
          message: `Invalid capability name ${
            JSON.stringify(name.slice(0, 80))
          }: lowercase letters, digits, _ . -`,
        });
      }
      const params = await readJsonObject(c, { optional: true });
      try {
        const result = await engine.call(
          "capability.invoke",
          { name, params },
          {
            timeoutMs: limits.invokeTimeoutMs,
          },
        );
        return limitedJson(c, result, limits.maxResponseBytes);
      } catch (error) {
        if (
          error instanceof RpcError && error.code === ErrorCode.MethodNotFound
        ) {
          throw new HTTPException(501, {
            message:
              "This engine cannot invoke capabilities yet (it has no capability.invoke method); update AgentOS",
            cause: error,
          });
        }
        throw error;
      }
    });
}
