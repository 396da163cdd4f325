import { AjvJsonSchemaValidator } from "./_sdk.ts";
import type { Tool } from "./_sdk.ts";
import { ErrorCode, RpcError } from "../engine/mod.ts";
import { BUILTIN_TOOLS } from "./builtin_tools.ts";
import { type CapabilityInfo, capabilityTools } from "./capability_tools.ts";
import type { EngineLink } from "./engine_link.ts";
import type { JsonSchema, ToolSpec } from "./tool_spec.ts";

/** Options for {@linkcode ToolCatalog}. */
export interface ToolCatalogOptions {
  /** Hears refresh problems, for the log. */
  onEvent?: (message: string, fields?: Record<string, unknown>) => void;
}

type Validate = (args: unknown) => string | undefined;

const BUILTIN_NAMES = new Set(BUILTIN_TOOLS.map((t) => t.definition.name));

/**
 * The tools the proxy offers: the fixed graph/shape/skill tools and one per
 * capability, read from the engine's `capability.list`. Also computes the
 * fingerprint that tells when skills changed (for `tools/list_changed`).
 */
export class ToolCatalog {
  #link: EngineLink;
  #options: ToolCatalogOptions;
  #capabilityTools: ToolSpec[] = [];
  #validators = new Map<string, { schema: string; validate: Validate }>();
  #ajv = new AjvJsonSchemaValidator();

  /**
   * @param link the engine connection
   * @param options event hook
   */
  constructor(link: EngineLink, options: ToolCatalogOptions = {}) {
    this.#link = link;
    this.#options = options;
  }

  /**
   * Every tool, with the capability tools re-read from the engine.
   *
   * @returns the MCP tool definitions
   * @throws {EngineUnavailableError} when no engine can be reached
   */
  async list(): Promise<Tool[]> {
    await this.refresh();
    return [...BUILTIN_TOOLS, ...this.#capabilityTools].map((t) =>
      t.definition
    );
  }

  /**
   * Finds a tool by name, re-reading the capabilities once if it is unknown
   * (a skill may have been added since the last `tools/list`).
   *
   * @param name the tool name
   * @returns the tool, or undefined
   */
  async find(name: string): Promise<ToolSpec | undefined> {
    const builtin = BUILTIN_TOOLS.find((t) => t.definition.name === name);
    if (builtin) return builtin;
    const known = this.#capabilityTools.find((t) => t.definition.name === name);
    if (known) return known;
    await this.refresh();
    return this.#capabilityTools.find((t) => t.definition.name === name);
  }

  /**
   * Checks arguments against a tool's input schema.
   *
   * @param tool the tool
   * @param args the arguments
   * @returns a message naming every problem, or undefined when valid
   */
  validate(tool: ToolSpec, args: Record<string, unknown>): string | undefined {
    const name = tool.definition.name;
    const schema = JSON.stringify(tool.definition.inputSchema);
    let entry = this.#validators.get(name);
    if (entry?.schema !== schema) {
      entry = { schema, validate: this.#compile(tool.definition.inputSchema) };
      this.#validators.set(name, entry);
    }
    return entry.validate(args);
  }

  /**
   * Re-reads the capability tools from the engine.
   *
   * @param noStart fail rather than start an engine when none answers
   */
  async refresh(noStart = false): Promise<void> {
    const capabilities = await this.#read<{ capabilities?: CapabilityInfo[] }>(
      "capability.list",
      noStart,
    );
    this.#capabilityTools = capabilityTools(
      Array.isArray(capabilities?.capabilities)
        ? capabilities.capabilities
        : [],
      BUILTIN_NAMES,
    );
  }

  /**
   * What the tool list depends on — the capability tools and the installed
   * skills (ids, enabled state, tool names) — as one string, so the proxy
   * can tell when to send `tools/list_changed`. Volatile skill fields
   * (counters, timestamps) are left out so they cause no notifications.
   *
   * Never starts an engine: it runs in the background.
   *
   * @returns the fingerprint
   * @throws {EngineUnavailableError} when no engine answers
   */
  async fingerprint(): Promise<string> {
    await this.refresh(true);
    const skills = await this.#read<{ skills?: unknown[] }>(
      "skills.list",
      true,
    );
    return JSON.stringify([
      this.#capabilityTools.map((t) => t.definition),
      (Array.isArray(skills?.skills) ? skills.skills : []).map(skillSummary),
    ]);
  }

  async #read<T>(method: string, noStart: boolean): Promise<T | undefined> {
    try {
      return await this.#link.call<T>(method, {}, {
        retrySafe: true,
        timeoutMs: 10_000,
        noStart,
      });
    } catch (error) {
      // An engine without skills yet: no capability tools, not an error.
      if (
        error instanceof RpcError && error.code === ErrorCode.MethodNotFound
      ) {
        return undefined;
      }
      if (!noStart) {
        this.#options.onEvent?.(`Reading ${method} failed`, { error });
      }
      throw error;
    }
  }

  #compile(schema: unknown): Validate {
    let check: (args: unknown) => { valid: boolean; errorMessage?: string };
    try {
      check = this.#ajv.getValidator(schema as never);
    } catch (error) {
      // A provider's schema we cannot compile: let the engine judge the call.
      this.#options.onEvent?.("Input schema does not compile", { error });
      return () => undefined;
    }
    const properties = (schema as JsonSchema).properties;
    const closed = (schema as JsonSchema).additionalProperties === false;
    return (args) => {
      const result = check(args);
      if (result.valid) return undefined;
      const problems = (result.errorMessage ?? "invalid")
        .replaceAll(
          /\bdata\/([\w/-]+)/g,
          (_, path: string) => `"${path.replaceAll("/", ".")}"`,
        )
        .replaceAll(/\bdata\b/g, "the arguments");
      const unknown = closed && typeof properties === "object"
        ? Object.keys(args as object).filter((key) =>
          !(key in (properties as object))
        )
        : [];
      return unknown.length > 0
        ? `${problems} (unknown: ${
          unknown.map((k) => JSON.stringify(k.slice(0, 64))).join(", ")
        })`
        : problems;
    };
  }
}

function skillSummary(skill: unknown): unknown {
  if (typeof skill !== "object" || skill === null) return skill;
  const s = skill as Record<string, unknown>;
  const tools = Array.isArray(s.tools)
    ? s.tools.map((t) =>
      typeof t === "object" && t !== null ? (t as { name?: unknown }).name : t
    )
    : null;
  return [
    s.id ?? s.name ?? null,
    s.enabled ?? s.disabled ?? s.status ?? null,
    tools,
  ];
}
