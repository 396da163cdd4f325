import {
  McpError,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from "./_sdk.ts";
import { ErrorCode as RpcCode, RpcError } from "../engine/mod.ts";
import type { EngineLink } from "./engine_link.ts";
import { explain } from "./tool_errors.ts";

/** The MCP spec's code for "resource not found". */
const RESOURCE_NOT_FOUND = -32002;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

const MIME = "application/json";
const SHAPE_PREFIX = "agentos://shape/";
const NODE_PREFIX = "agentos://node/";

/** The URI templates clients can fill in. */
export const RESOURCE_TEMPLATES: ResourceTemplate[] = [
  {
    uriTemplate: `${NODE_PREFIX}{id}`,
    name: "node",
    title: "Graph record",
    description:
      "One record of the graph by id, with its shapes, values and edges (as graph_get returns it)",
    mimeType: MIME,
  },
  {
    uriTemplate: `${SHAPE_PREFIX}{name}`,
    name: "shape",
    title: "Shape definition",
    description:
      "One shape (record type) with its fields, identity keys and relations (as shapes_get returns it)",
    mimeType: MIME,
  },
];

interface ShapeSummary {
  name: string;
  plural?: string;
  description?: string;
  count?: number;
}

/**
 * The concrete resources: one per shape. Records are not listed (there may
 * be millions); they are reached through the `agentos://node/{id}` template.
 *
 * @param link the engine connection
 * @returns the resources
 * @throws {McpError} when the engine cannot be reached
 */
export async function listResources(link: EngineLink): Promise<Resource[]> {
  const { shapes } = await engineCall<{ shapes: ShapeSummary[] }>(
    link,
    "shapes.list",
    {},
  );
  return shapes.map((shape) => ({
    uri: `${SHAPE_PREFIX}${encodeURIComponent(shape.name)}`,
    name: shape.name,
    title: shape.plural ?? shape.name,
    description: [
      shape.description,
      shape.count !== undefined ? `${shape.count} records` : undefined,
    ].filter(Boolean).join(" — "),
    mimeType: MIME,
  }));
}

/**
 * Reads `agentos://shape/<name>` or `agentos://node/<id>`.
 *
 * @param link the engine connection
 * @param uri the resource URI
 * @param signal aborts the engine call
 * @returns the resource as JSON text
 * @throws {McpError} -32002 for an unknown shape or record, -32602 for another URI
 */
export async function readResource(
  link: EngineLink,
  uri: string,
  signal?: AbortSignal,
): Promise<ReadResourceResult> {
  let method: string;
  let params: Record<string, unknown>;
  if (uri.startsWith(SHAPE_PREFIX)) {
    method = "shapes.get";
    params = { name: decode(uri, SHAPE_PREFIX) };
  } else if (uri.startsWith(NODE_PREFIX)) {
    method = "graph.get";
    params = { id: decode(uri, NODE_PREFIX) };
  } else {
    throw new McpError(
      INVALID_PARAMS,
      `Unknown resource URI "${
        uri.slice(0, 200)
      }"; this server serves ${SHAPE_PREFIX}<name> and ${NODE_PREFIX}<id>`,
    );
  }
  const value = await engineCall(link, method, params, signal);
  return {
    contents: [{ uri, mimeType: MIME, text: JSON.stringify(value, null, 2) }],
  };
}

/**
 * Completes the `name` of the shape template from the loaded shapes.
 *
 * @param link the engine connection
 * @param uriTemplate the template being filled in
 * @param argument the variable and what was typed so far
 * @returns matching values (at most 100)
 */
export async function completeResource(
  link: EngineLink,
  uriTemplate: string,
  argument: { name: string; value: string },
): Promise<string[]> {
  if (uriTemplate !== `${SHAPE_PREFIX}{name}` || argument.name !== "name") {
    return [];
  }
  const { shapes } = await engineCall<{ shapes: ShapeSummary[] }>(
    link,
    "shapes.list",
    {},
  );
  return shapes.map((s) => s.name).filter((n) => n.startsWith(argument.value))
    .slice(0, 100);
}

function decode(uri: string, prefix: string): string {
  const raw = uri.slice(prefix.length);
  try {
    const value = decodeURIComponent(raw);
    if (value !== "" && !value.includes("/")) return value;
  } catch {
    // Falls through to the error below.
  }
  throw new McpError(
    INVALID_PARAMS,
    `Malformed resource URI "${
      uri.slice(0, 200)
    }": expected ${prefix}<one path segment>`,
  );
}

async function engineCall<T>(
  link: EngineLink,
  method: string,
  params: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await link.call<T>(method, params, {
      retrySafe: true,
      timeoutMs: 30_000,
      signal,
    });
  } catch (error) {
    if (error instanceof RpcError && error.code === RpcCode.NotFound) {
      throw new McpError(RESOURCE_NOT_FOUND, error.message);
    }
    if (error instanceof RpcError && error.code === RpcCode.InvalidParams) {
      throw new McpError(INVALID_PARAMS, error.message);
    }
    throw new McpError(
      INTERNAL_ERROR,
      explain("resources/read", method, error),
    );
  }
}
