import type { JsonSchema, ToolSpec } from "./tool_spec.ts";

/** One entry of the engine's `capability.list`. */
export interface CapabilityInfo {
  /** The capability, e.g. `web_read`. */
  name: string;
  /** What it does. */
  description?: string;
  /** Provider skill ids (in the order the engine would try them now). */
  providers?: string[];
  /** JSON Schema of the parameters, merged from the providers. */
  params?: JsonSchema;
}

/** Names MCP clients accept everywhere (Claude's API allows no dots). */
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * One tool per capability, named after it. A name that clashes with a
 * built-in tool (or is not a valid tool name) is made valid and, if still
 * taken, prefixed with `capability_`; a capability that cannot be named at
 * all is left out.
 *
 * @param capabilities the engine's `capability.list` entries
 * @param taken tool names already in use (the built-in tools)
 * @returns the tools, in the engine's order
 */
export function capabilityTools(
  capabilities: readonly CapabilityInfo[],
  taken: ReadonlySet<string>,
): ToolSpec[] {
  const used = new Set(taken);
  const tools: ToolSpec[] = [];
  for (const capability of capabilities) {
    if (typeof capability?.name !== "string" || capability.name === "") {
      continue;
    }
    const name = toolName(capability.name, used);
    if (!name) continue;
    used.add(name);
    tools.push({
      definition: {
        name,
        title: capability.name,
        description: describe(capability),
        inputSchema: inputSchema(capability.params) as never,
        annotations: {
          readOnlyHint: false,
          destructiveHint: false,
          idempotentHint: false,
          openWorldHint: true,
        },
      },
      method: "capability.invoke",
      capability: capability.name,
      long: true,
      params: (args) => ({ name: capability.name, params: args }),
    });
  }
  return tools;
}

function toolName(capability: string, used: Set<string>): string | undefined {
  const base = capability.replaceAll(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
  for (const candidate of [base, `capability_${base}`.slice(0, 64)]) {
    if (TOOL_NAME.test(candidate) && !used.has(candidate)) return candidate;
  }
  return undefined;
}

function describe(capability: CapabilityInfo): string {
  // Sorted: the engine's order changes with every success (freshness), and
  // a description that changed would announce a new tool list each time.
  const providers = (capability.providers ?? []).filter((p) =>
    typeof p === "string"
  ).sort();
  const what = (capability.description ?? "").trim().replace(/\.?$/, ".");
  return [
    what === "." ? `The "${capability.name}" capability.` : what,
    ` Capability "${capability.name}": the engine picks a provider`,
    providers.length > 0 ? ` among ${providers.join(", ")}` : "",
    " (by the user's preference, credentials and freshness) and tries the next one if a provider fails for a reason that is not the caller's fault. ",
    "Runs in a sandboxed skill process: may take seconds; reports progress when asked and stops when cancelled. ",
    "Returns {result, provider, attempts}.",
  ].join("");
}

function inputSchema(params: unknown): JsonSchema {
  if (
    typeof params === "object" && params !== null && !Array.isArray(params) &&
    (params as JsonSchema).type === "object"
  ) {
    return params as JsonSchema;
  }
  // No usable schema from the providers: accept any object, the engine checks.
  return { type: "object", additionalProperties: true };
}
