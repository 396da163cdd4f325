import type { Tool } from "./_sdk.ts";

/** A JSON Schema object (draft-07 / 2020-12 subset that MCP clients read). */
export type JsonSchema = Record<string, unknown>;

/**
 * One MCP tool and how it maps onto an engine method. The proxy adds no
 * behaviour of its own: it validates the arguments, builds the engine
 * params, and formats the result.
 */
export interface ToolSpec {
  /** The MCP definition clients see. */
  definition: Tool;
  /** The engine method it calls. */
  method: string;
  /** Engine params from validated arguments; `actor` is the writer to record. */
  params(args: Record<string, unknown>, actor: string): Record<string, unknown>;
  /** May run long (a skill's process): own connection, progress heartbeats. */
  long?: boolean;
  /** May be sent again after an engine restart (reads and idempotent writes). */
  retrySafe?: boolean;
  /** Which capability it invokes (capability tools only). */
  capability?: string;
}

/**
 * The input schema of a tool without parameters.
 *
 * @returns an object schema that accepts `{}`
 */
export function noArguments(): Tool["inputSchema"] {
  return { type: "object", properties: {}, additionalProperties: false };
}
