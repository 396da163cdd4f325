import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ListQuery } from "../engine/graph/mod.ts";
import { limitedJson } from "./bridge_limits.ts";
import type { BridgeEnv, BridgeServices } from "./bridge_env.ts";
import { readJsonObject } from "./json_body.ts";
import {
  type NeighbourhoodQuery,
  parseNeighbourCursor,
} from "./neighbourhood.ts";
import { boundedParam, integerParam } from "./query_params.ts";

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const LIST_PARAMS = new Set(["shape", "q", "where", "sort", "limit", "cursor"]);
const NEIGHBOURHOOD_PARAMS = new Set(["depth", "limit", "cursor"]);

/**
 * `/graph`: reads from the bridge's read-only connection, writes forwarded
 * to the engine as `app:<origin>`.
 *
 * * `GET /graph?shape=&q=&where=&sort=&limit=&cursor=` — a page of nodes
 * * `GET /graph/:id` — one node: values, shapes, edges both ways, provenance
 * * `GET /graph/:id/history?after=&limit=` — its change log
 * * `GET /graph/:id/neighbourhood?depth=&limit=&cursor=` — nodes within 1 or 2 hops, edges, shapes, titles
 * * `POST /graph` — create a node (`{shape?, values}`) or an edge (`{from, label, to, values?}`)
 * * `PATCH /graph/:id` — set values (`{values}`; null unsets)
 * * `DELETE /graph/:id` — soft-delete a node or an edge
 * * `POST /graph/:id/restore` — undo a delete
 *
 * @param services the reader, the engine and the limits
 * @returns the router
 */
export function graphRoutes(services: BridgeServices): Hono<BridgeEnv> {
  const { reader, engine, limits } = services;
  const call = <T>(method: string, params: Record<string, unknown>) =>
    engine.call<T>(method, params, { timeoutMs: limits.engineTimeoutMs });

  return new Hono<BridgeEnv>()
    .get("/", (c) => {
      const page = reader.list(listQuery(c.req.query(), services), {
        maxValueChars: limits.maxListValueChars,
      });
      return limitedJson(c, page, limits.maxResponseBytes);
    })
    .get("/:id", (c) => {
      const id = nodeId(c.req.param("id"));
      const node = reader.node(id);
      if (!node) throw new HTTPException(404, { message: `No node "${id}"` });
      return limitedJson(c, node, limits.maxResponseBytes);
    })
    .get("/:id/history", (c) => {
      const id = nodeId(c.req.param("id"));
      const after = integerParam(
        c.req.query("after"),
        "after",
        0,
        Number.MAX_SAFE_INTEGER,
      );
      const limit = integerParam(c.req.query("limit"), "limit", 1, 500) ?? 100;
      const changes = reader.history(id, { after, limit });
      if (!changes) {
        throw new HTTPException(404, { message: `No node "${id}"` });
      }
      return limitedJson(c, { id, changes }, limits.maxResponseBytes);
    })
    .get("/:id/neighbourhood", (c) => neighbourhood(c, services))
    .post("/", async (c) => {
      const body = await readJsonObject(c);
      const isEdge = "from" in body || "to" in body || "label" in body;
      const keys = isEdge
        ? ["from", "label", "to", "values"]
        : ["shape", "values"];
      const result = await call("graph.create", {
        ...pick(body, keys),
        actor: c.get("actor"),
      });
      return c.json(result as Record<string, unknown>, 201);
    })
    .patch("/:id", async (c) => {
      const id = nodeId(c.req.param("id"));
      const body = await readJsonObject(c);
      const result = await call("graph.update", {
        id,
        values: body.values,
        actor: c.get("actor"),
      });
      return c.json(result as Record<string, unknown>);
    })
    .delete("/:id", async (c) => {
      const id = nodeId(c.req.param("id"));
      return c.json(
        await call<Record<string, unknown>>("graph.delete", {
          id,
          actor: c.get("actor"),
        }),
      );
    })
    .post("/:id/restore", async (c) => {
      const id = nodeId(c.req.param("id"));
      return c.json(
        await call<Record<string, unknown>>("graph.restore", {
          id,
          actor: c.get("actor"),
        }),
      );
    });
}

function listQuery(
  params: Record<string, string>,
  services: BridgeServices,
): ListQuery {
  const { limits } = services;
  refuseUnknown(params, LIST_PARAMS);
  const query: ListQuery = {
    limit: integerParam(params.limit, "limit", 1, limits.maxPageSize) ?? 50,
  };
  if (params.shape !== undefined) {
    query.shape = boundedParam(params.shape, "shape", 64);
  }
  if (params.q !== undefined) {
    query.q = boundedParam(params.q, "q", limits.maxQueryChars);
  }
  if (params.sort !== undefined) {
    query.sort = boundedParam(params.sort, "sort", 128);
  }
  if (params.cursor !== undefined) {
    query.cursor = boundedParam(params.cursor, "cursor", 512);
  }
  if (params.where !== undefined) {
    const text = boundedParam(params.where, "where", limits.maxWhereChars);
    try {
      query.where = JSON.parse(text);
    } catch {
      throw new HTTPException(400, {
        message:
          `"where" must be JSON: [{"key","op","value"}] or {"key": value}, got ${
            JSON.stringify(text.slice(0, 100))
          }`,
      });
    }
  }
  return query;
}

function neighbourhood(c: Context<BridgeEnv>, services: BridgeServices) {
  const id = nodeId(c.req.param("id") ?? "");
  const page = services.reader.neighbourhood(
    id,
    neighbourhoodQuery(c.req.query(), services),
  );
  if (!page) throw new HTTPException(404, { message: `No node "${id}"` });
  return limitedJson(c, page, services.limits.maxResponseBytes);
}

function neighbourhoodQuery(
  params: Record<string, string>,
  { limits }: BridgeServices,
): NeighbourhoodQuery {
  refuseUnknown(params, NEIGHBOURHOOD_PARAMS);
  const limit = integerParam(params.limit, "limit", 1, limits.maxNeighbours);
  const query: NeighbourhoodQuery = {
    depth: integerParam(params.depth, "depth", 1, 2) ?? 1,
    limit: limit ?? 100,
    maxScan: limits.maxNeighbourhoodScan,
    maxEdges: 4 * (limit ?? 100) + 100,
  };
  if (params.cursor !== undefined) {
    const cursor = boundedParam(params.cursor, "cursor", 80);
    if (!parseNeighbourCursor(cursor)) {
      throw new HTTPException(400, {
        message: `"cursor" must be the cursor of a previous page, got ${
          JSON.stringify(cursor.slice(0, 80))
        }`,
      });
    }
    query.cursor = cursor;
  }
  return query;
}

function refuseUnknown(params: Record<string, string>, known: Set<string>) {
  const unknown = Object.keys(params).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new HTTPException(400, {
      message: `Unknown query parameter "${unknown[0]!.slice(0, 50)}"; use ${
        [...known].join(", ")
      }`,
    });
  }
}

function nodeId(id: string): string {
  if (!ID_PATTERN.test(id)) {
    throw new HTTPException(400, {
      message: `Invalid id ${JSON.stringify(id.slice(0, 80))}`,
    });
  }
  return id;
}

function pick(
  body: Record<string, unknown>,
  keys: string[],
): Record<string, unknown> {
  const extra = Object.keys(body).filter((key) => !keys.includes(key));
  if (extra.length > 0) {
    throw new HTTPException(400, {
      message: `Unexpected field "${
        extra[0]!.slice(0, 50)
      }" in the body; expected ${keys.join(", ")}`,
    });
  }
  return Object.fromEntries(
    keys.filter((key) => key in body).map((key) => [key, body[key]]),
  );
}
