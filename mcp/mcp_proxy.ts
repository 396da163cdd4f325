import { Server } from "./_sdk.ts";
import type { Transport } from "./_sdk.ts";
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type ListToolsResult,
  ReadResourceRequestSchema,
} from "./_sdk.ts";
import { RpcError, VERSION } from "../engine/mod.ts";
import { CredentialPrompt, credentialRefusedOf } from "./credential_prompt.ts";
import { GrantPrompt } from "./grant_prompt.ts";
import {
  grantCommand,
  type GrantNeeded,
  grantNeededOf,
} from "./grant_needed.ts";
import { promptText } from "./prompt_text.ts";
import { ClientSampling } from "./client_sampling.ts";
import { BUILTIN_TOOLS } from "./builtin_tools.ts";
import { CallProgress, type ProgressContext } from "./call_progress.ts";
import { ChangePoll } from "./change_poll.ts";
import type { EngineLink } from "./engine_link.ts";
import type { McpLog } from "./mcp_log.ts";
import {
  completeResource,
  listResources,
  readResource,
  RESOURCE_TEMPLATES,
} from "./resources.ts";
import { ToolCatalog } from "./tool_catalog.ts";
import { explain, toolError, ToolInputError } from "./tool_errors.ts";
import type { ToolSpec } from "./tool_spec.ts";

/** Largest accepted `arguments` of one tool call, serialised: 8 MiB. */
export const MAX_ARGUMENT_CHARS = 8 * 1024 * 1024;
/** Longest tool result text before it is cut (with a note saying so). */
export const MAX_RESULT_CHARS = 1024 * 1024;
/** Engine methods whose skills may ask the client's model (sampling). */
const SAMPLES = new Set(["skills.run", "capability.invoke"]);

/** Default interval of the skills-change poll behind `tools/list_changed`. */
export const DEFAULT_POLL_MS = 2000;

/** Options for {@linkcode McpProxy}. */
export interface McpProxyOptions {
  /** The engine connection. */
  link: EngineLink;
  /** The proxy's log. */
  log: McpLog;
  /** How often to look for skill changes, in ms; 0 turns it off. */
  pollMs?: number;
  /** Life of a credential link, in ms (default 10 minutes). */
  credentialLinkTtlMs?: number;
  /** How credential links reach the client (`CredentialPromptOptions.style`). */
  credentialLinkStyle?: "request" | "error";
  /** Longest wait for the client's model or the person's answer, in ms (default 2 minutes). */
  askTimeoutMs?: number;
}

/** What a tool call needs of the SDK's request context: progress and cancellation. */
type CallContext = ProgressContext & { signal: AbortSignal };

const INSTRUCTIONS =
  "AgentOS holds the user's personal data as a graph of records (tasks, people, messages, posts, notes…) and the capabilities of their installed skills. " +
  "Call shapes_list to see which kinds of records exist, graph_list to find records (by shape, filters or full-text q), graph_get for one record with its links. " +
  "Write with graph_create / graph_update / graph_link: writes are recorded as made by you and can be reviewed with graph_history. " +
  "Capability tools (e.g. web_read, llm) run the user's sandboxed skills. Records are also readable as resources agentos://node/<id> and shapes as agentos://shape/<name>.";

/**
 * The MCP server of agentos-mcp: translates MCP requests into engine
 * JSON-RPC calls over the socket and adds nothing else — validation,
 * progress, cancellation and error wording are its only behaviour.
 *
 * Built on the SDK's low-level `Server` rather than `McpServer` because the
 * capability tools are dynamic and their input schemas arrive as JSON
 * Schema from the engine, not as zod schemas.
 */
export class McpProxy {
  /** The SDK server. */
  readonly server: Server;
  #link: EngineLink;
  #log: McpLog;
  #catalog: ToolCatalog;
  #changes: ChangePoll;
  #credentials: CredentialPrompt;
  #sampling: ClientSampling;
  #grants: GrantPrompt;
  #closed: PromiseWithResolvers<void> = Promise.withResolvers();

  /** @param options engine link, log and poll interval */
  constructor(options: McpProxyOptions) {
    this.#link = options.link;
    this.#log = options.log;
    this.#catalog = new ToolCatalog(this.#link, {
      onEvent: (message, fields) => this.#log.warn(message, fields),
    });
    this.server = new Server(
      { name: "agentos", title: "AgentOS", version: VERSION },
      {
        capabilities: {
          tools: { listChanged: true },
          resources: { listChanged: true },
          completions: {},
        },
        instructions: INSTRUCTIONS,
      },
    );
    this.#credentials = new CredentialPrompt(
      this.server,
      this.#link,
      this.#log,
      {
        ttlMs: options.credentialLinkTtlMs,
        style: options.credentialLinkStyle,
      },
    );
    this.#sampling = new ClientSampling(this.server, this.#log, {
      timeoutMs: options.askTimeoutMs,
    });
    this.#grants = new GrantPrompt(this.server, this.#link, this.#log, {
      timeoutMs: options.askTimeoutMs,
    });
    this.#changes = new ChangePoll({
      server: this.server,
      catalog: this.#catalog,
      link: this.#link,
      log: this.#log,
      pollMs: options.pollMs ?? DEFAULT_POLL_MS,
    });
    this.server.oninitialized = () => {
      const client = this.server.getClientVersion();
      this.#log.info("Session initialized", {
        client: client?.name ?? null,
        clientVersion: client?.version ?? null,
        actor: this.#actor(),
      });
      this.#changes.start();
    };
    this.server.onclose = () => this.#closed.resolve();
    this.server.onerror = (error) =>
      this.#log.warn("Protocol error", { error: error.message });
    this.#registerTools();
    this.#registerResources();
  }

  /** Resolves when the session has ended (the client closed stdin or the proxy was closed). */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  /**
   * Starts serving on a transport.
   *
   * @param transport e.g. a {@linkcode StdioTransport}
   */
  async connect(transport: Transport): Promise<void> {
    await this.server.connect(transport);
  }

  /** Stops polling, closes the session and the engine connections. */
  async close(): Promise<void> {
    this.#changes.stop();
    this.#credentials.close();
    await this.server.close();
    await this.#link.close();
    this.#closed.resolve();
  }

  #registerTools(): void {
    this.server.setRequestHandler(
      ListToolsRequestSchema,
      () => this.#listTools(),
    );
    this.server.setRequestHandler(
      CallToolRequestSchema,
      (request, extra) =>
        this.#callTool(
          request.params.name,
          request.params.arguments ?? {},
          extra,
        ),
    );
  }

  /** `tools/list`: the catalog, or only the fixed tools when it cannot be read. */
  async #listTools(): Promise<ListToolsResult> {
    try {
      return { tools: await this.#catalog.list() };
    } catch (error) {
      // Still offer the fixed tools: their calls will explain the problem.
      this.#log.warn("Listing capability tools failed", {
        error: (error as Error).message,
      });
      return { tools: BUILTIN_TOOLS.map((t) => t.definition) };
    }
  }

  /** `tools/call`: find the tool, check its arguments, call the engine. */
  async #callTool(
    name: string,
    args: Record<string, unknown>,
    extra: CallContext,
  ): Promise<CallToolResult> {
    let tool: ToolSpec | undefined;
    try {
      tool = await this.#catalog.find(name);
    } catch (error) {
      return toolError(name, "capability.list", error);
    }
    if (!tool) {
      return toolError(
        name,
        "",
        new ToolInputError(
          `Unknown tool "${
            name.slice(0, 100)
          }". Call tools/list to see the tools this server offers now (capability tools come and go with the user's skills)`,
        ),
      );
    }
    const problem = this.#argumentProblem(name, tool, args);
    if (problem) return toolError(name, tool.method, problem);
    return await this.#forward(name, tool, args, extra);
  }

  /** Arguments too large, or not matching the tool's input schema. */
  #argumentProblem(
    name: string,
    tool: ToolSpec,
    args: Record<string, unknown>,
  ): ToolInputError | undefined {
    const size = JSON.stringify(args).length;
    if (size > MAX_ARGUMENT_CHARS) {
      return new ToolInputError(
        `The arguments of ${name} are ${size} characters, more than the limit of ${MAX_ARGUMENT_CHARS}. Send the data in smaller pieces over several calls`,
      );
    }
    const problem = this.#catalog.validate(tool, args);
    if (problem) {
      return new ToolInputError(
        `Invalid arguments for ${name}: ${problem}. Fix them to match the tool's input schema and call again`,
      );
    }
    return undefined;
  }

  /** The engine call behind a tool, with progress and cancellation passed through. */
  async #forward(
    name: string,
    tool: ToolSpec,
    args: Record<string, unknown>,
    extra: CallContext,
  ): Promise<CallToolResult> {
    const progress = new CallProgress(extra, {
      label: name,
      heartbeatMs: tool.long ? 5000 : undefined,
    });
    await progress.start();
    const params = tool.params(args, this.#actor());
    // A skill's `llm` may ask this client's model, on this call's connection.
    if (tool.long && this.#sampling.supported && SAMPLES.has(tool.method)) {
      params.clientModel = true;
    }
    const call = () =>
      this.#link.call(
        tool.method,
        params,
        {
          signal: extra.signal,
          retrySafe: tool.retrySafe,
          dedicated: tool.long,
          onNotification: (method, params, reply) => {
            if (this.#sampling.handle(method, params, reply, extra.signal)) {
              return;
            }
            if (method === "skills.progress") progress.fromEngine(params);
          },
          timeoutMs: tool.long ? undefined : 60_000,
        },
      );
    try {
      return textResult(await call());
    } catch (error) {
      if (!(error instanceof ToolInputError)) {
        this.#log.debug("Tool call failed", {
          tool: name,
          error: (error as Error).message,
        });
      }
      // Only skill calls carry the engine's description of a refused grant.
      const need = SAMPLES.has(tool.method) ? grantNeededOf(error) : undefined;
      if (need) {
        return await this.#askForGrant(name, tool, { need, error, params }, {
          call,
          extra,
        });
      }
      return await this.#askForCredential(name, tool, { args, params, error }, {
        call,
        extra,
      });
    } finally {
      await progress.end();
    }
  }

  /**
   * After a failed skill call: when a skill it tried lacks its credential,
   * or its domain refused the stored one (401/403, the engine's fact), and
   * the client takes URL elicitation, asks the person through a one-time
   * link and, once stored, calls again once.
   */
  async #askForCredential(
    name: string,
    tool: ToolSpec,
    failed: {
      args: Record<string, unknown>;
      params: Record<string, unknown>;
      error: unknown;
    },
    run: { call: () => Promise<unknown>; extra: CallContext },
  ): Promise<CallToolResult> {
    const { args, params, error } = failed;
    const { call, extra } = run;
    // Only skill calls carry the engine's fact of a refused stored key.
    const refused = SAMPLES.has(tool.method)
      ? credentialRefusedOf(error)
      : undefined;
    const skills = triedSkills(tool, args, error);
    // Stored for other skills: the grant is asked for, like any other. The
    // engine decides from the vault (a skill's text only makes it look).
    const unshared = refused || extra.signal.aborted ||
        !String((error as Error)?.message).includes("NEEDS_CREDENTIALS")
      ? undefined
      : await this.#credentials.unshared(skills, extra.signal);
    if (unshared) {
      const need: GrantNeeded = {
        kind: "credential",
        ...unshared,
        tool: triedTool(tool, args, error, unshared.skill),
      };
      return await this.#askForGrant(name, tool, { need, error, params }, run);
    }
    const outcome = skills.length > 0 && !extra.signal.aborted
      ? await this.#credentials.ask(skills, extra.signal, refused)
      : undefined;
    if (outcome?.kind === "stored") {
      try {
        return textResult(await call());
      } catch (again) {
        return toolError(name, tool.method, again);
      }
    }
    const result = toolError(name, tool.method, error);
    if (outcome?.kind === "refused") {
      (result.content[0] as { text: string }).text +=
        `. The user was asked for the credential of ${outcome.domain} and it was not stored: ${outcome.why}`;
    }
    return result;
  }

  /**
   * After a call refused for a grant the owner could give: when the client
   * takes forms, asks the person (allow once, always, deny) and, once
   * granted, calls again once — with the one-call grant's token for "once".
   */
  async #askForGrant(
    name: string,
    tool: ToolSpec,
    refused: {
      need: GrantNeeded;
      error: unknown;
      params: Record<string, unknown>;
    },
    run: { call: () => Promise<unknown>; extra: CallContext },
  ): Promise<CallToolResult> {
    const { need, error, params } = refused;
    const outcome = run.extra.signal.aborted
      ? undefined
      : await this.#grants.ask(need, run.extra.signal);
    if (outcome?.kind === "once" || outcome?.kind === "always") {
      if (outcome.kind === "once") params.once = outcome.token;
      try {
        return textResult(await run.call());
      } catch (again) {
        return toolError(name, tool.method, again);
      } finally {
        delete params.once;
      }
    }
    const result = toolError(name, tool.method, error);
    const content = result.content[0] as { text: string };
    if (outcome?.kind === "refused") {
      content.text +=
        `. The user was asked to allow it and did not: ${outcome.why}`;
    }
    if (outcome?.kind === "unoffered") {
      content.text += `. It was not offered to the user: ${
        promptText(outcome.why, 300)
      }`;
    }
    content.text += `. The owner can allow it with: agentos skills allow ${
      promptText(grantCommand(need), 400)
    }`;
    return result;
  }

  #registerResources(): void {
    this.server.setRequestHandler(
      ListResourcesRequestSchema,
      async () => ({ resources: await listResources(this.#link) }),
    );
    this.server.setRequestHandler(
      ListResourceTemplatesRequestSchema,
      () => ({ resourceTemplates: RESOURCE_TEMPLATES }),
    );
    this.server.setRequestHandler(
      ReadResourceRequestSchema,
      (request, extra) =>
        readResource(this.#link, request.params.uri, extra.signal),
    );
    this.server.setRequestHandler(CompleteRequestSchema, async (request) => {
      const ref = request.params.ref;
      let values: string[] = [];
      if (ref.type === "ref/resource") {
        try {
          values = await completeResource(
            this.#link,
            ref.uri,
            request.params.argument,
          );
        } catch (error) {
          this.#log.debug("Completion failed", {
            error: explain("completion/complete", "shapes.list", error),
          });
        }
      }
      return {
        completion: { values, total: values.length, hasMore: false },
      };
    });
  }

  /** The writer recorded in the change log: `agent:<the client's name>`. */
  #actor(): string {
    const name = (this.server.getClientVersion()?.name ?? "")
      .replaceAll(/[^\w.@:/-]+/g, "-").slice(0, 100);
    return `agent:${name || "unknown"}`;
  }
}

/** The skills a failed call tried, as the engine reported them. */
function triedSkills(
  tool: ToolSpec,
  args: Record<string, unknown>,
  error: unknown,
): string[] {
  if (!(error instanceof RpcError)) return [];
  if (tool.method === "skills.run") {
    return typeof args.skill === "string" ? [args.skill] : [];
  }
  if (tool.method !== "capability.invoke") return [];
  const attempts = (error.data as { attempts?: unknown } | undefined)
    ?.attempts;
  if (!Array.isArray(attempts)) return [];
  return [
    ...new Set(
      attempts.map((a) => a?.skill).filter((s) => typeof s === "string"),
    ),
  ] as string[];
}

/** The tool of a tried skill: the call's own, or its attempt's. */
function triedTool(
  tool: ToolSpec,
  args: Record<string, unknown>,
  error: unknown,
  skill: string,
): string {
  if (tool.method === "skills.run") return String(args.tool ?? "");
  const attempts = error instanceof RpcError
    ? (error.data as { attempts?: unknown } | undefined)?.attempts
    : undefined;
  const found = Array.isArray(attempts)
    ? attempts.find((a) => a?.skill === skill)
    : undefined;
  return typeof found?.tool === "string" ? found.tool : "";
}

function textResult(value: unknown): CallToolResult {
  let text = JSON.stringify(value ?? null);
  if (text.length > MAX_RESULT_CHARS) {
    text = `${
      text.slice(0, MAX_RESULT_CHARS)
    }\n[Truncated: the result has ${text.length} characters. Ask for less, e.g. a smaller limit or a narrower filter]`;
  }
  return { content: [{ type: "text", text }] };
}
