import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { limitedJson } from "./bridge_limits.ts";
import type { BridgeEnv, BridgeServices } from "./bridge_env.ts";

/**
 * `/user`: the owner's own node and preferences.
 *
 * The owner's node is the live node named by the `user.node` setting, else
 * the oldest live node whose `isSelf` value is true (the `person` shape
 * declares that field). Preferences are the `prefs.<key>` settings.
 *
 * * `GET /user` — `{id, node, preferences}`; 404 when no node is marked
 *
 * @param services the reader and the limits
 * @returns the router
 */
export function userRoutes(services: BridgeServices): Hono<BridgeEnv> {
  const { reader, limits } = services;
  return new Hono<BridgeEnv>()
    .get("/", (c) => {
      const id = reader.ownerId();
      const node = id === undefined ? undefined : reader.node(id);
      if (!id || !node) {
        throw new HTTPException(404, {
          message:
            `No node is marked as the owner: set "isSelf": true on your person node (agentos graph update <id> '{"isSelf": true}')`,
        });
      }
      return limitedJson(
        c,
        { id, node, preferences: reader.preferences() },
        limits.maxResponseBytes,
      );
    });
}
