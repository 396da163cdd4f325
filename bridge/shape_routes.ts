import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { limitedJson } from "./bridge_limits.ts";
import type { BridgeEnv, BridgeServices } from "./bridge_env.ts";

/**
 * `/shapes`: the shapes the engine loaded, with live node counts.
 *
 * * `GET /shapes` — `{shapes: [{name, plural, description, fields, relations, display, count, ...}]}`
 * * `GET /shapes/:name` — one of them
 *
 * @param services the reader and the limits
 * @returns the router
 */
export function shapeRoutes(services: BridgeServices): Hono<BridgeEnv> {
  const { reader, limits } = services;
  return new Hono<BridgeEnv>()
    .get(
      "/",
      (c) =>
        limitedJson(
          c,
          { shapes: reader.shapeSummaries() },
          limits.maxResponseBytes,
        ),
    )
    .get("/:name", (c) => {
      const name = c.req.param("name");
      const shape = reader.shapeSummaries().find((summary) =>
        summary.name === name
      );
      if (!shape) {
        throw new HTTPException(404, {
          message: `No shape "${name.slice(0, 64)}"; GET /shapes lists them`,
        });
      }
      return limitedJson(c, shape, limits.maxResponseBytes);
    });
}
