/**
 * An MCP session with agentos-mcp through the SDK's real `Client` and
 * `StdioClientTransport`, spawning the exact argv of `deno task mcp`.
 *
 * @module
 */
import { Client } from "@modelcontextprotocol/sdk/client";
import type { StdioServerParameters } from "@modelcontextprotocol/sdk/client/stdio";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { REPO_ROOT, taskCommand, taskEnv } from "./_task_command.ts";
import { within } from "./_wait.ts";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";

interface ChildLike {
  stdin?: { end(): void };
  once(event: "close", listener: (code: number | null) => void): void;
}

/** Options for {@linkcode McpSession.open}. */
export interface McpSessionOptions {
  /** Extra environment for the proxy. */
  env?: Record<string, string>;
  /** The client name sent in `initialize` (the proxy writes as `agent:<name>`). */
  clientName?: string;
  /** Start this command instead of the task's argv (e.g. from a config snippet). */
  server?: StdioServerParameters;
  /** Client capabilities to declare (elicitation, sampling). */
  capabilities?: ClientCapabilities;
}

/** A connected MCP client and what the proxy wrote besides the protocol. */
export class McpSession implements AsyncDisposable {
  /** The SDK client. */
  readonly client: Client;
  /** Errors the client's transport or protocol reported (e.g. non-JSON on stdout). */
  readonly errors: Error[] = [];
  /** Every protocol message both ways, serialised (to search for secrets). */
  readonly traffic: string[] = [];
  #transport: StdioClientTransport;
  #stderr = "";

  private constructor(client: Client, transport: StdioClientTransport) {
    this.client = client;
    this.#transport = transport;
  }

  /**
   * Spawns agentos-mcp for a home and completes the MCP handshake.
   *
   * @param home the AGENTOS_HOME
   * @param options environment, client name or another server command
   * @returns the session
   */
  static async open(
    home: string,
    options: McpSessionOptions = {},
  ): Promise<McpSession> {
    const [command, ...args] = taskCommand("mcp", home);
    const transport = new StdioClientTransport(
      options.server ?? {
        command: command!,
        args,
        cwd: REPO_ROOT,
        env: { ...taskEnv(home), ...options.env },
        stderr: "pipe",
      },
    );
    const client = new Client({
      name: options.clientName ?? "mcp-test",
      version: "1.0.0",
    }, { capabilities: options.capabilities ?? {} });
    const session = new McpSession(client, transport);
    transport.stderr?.on("data", (chunk: Uint8Array) => {
      session.#stderr += new TextDecoder().decode(chunk);
    });
    client.onerror = (error) => session.errors.push(error);
    const send = transport.send.bind(transport);
    transport.send = (message) => {
      session.traffic.push(JSON.stringify(message));
      return send(message);
    };
    try {
      await within("the MCP handshake", client.connect(transport));
      const receive = transport.onmessage!;
      transport.onmessage = (message) => {
        session.traffic.push(JSON.stringify(message));
        receive(message);
      };
    } catch (error) {
      // Never leave the proxy running behind a failed handshake.
      await transport.close().catch(() => {});
      throw error;
    }
    return session;
  }

  /** What the proxy wrote to stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /**
   * Calls a tool and returns its result with the text of its first content.
   *
   * @param name the tool
   * @param args its arguments
   * @returns `isError` and the text
   */
  async call(
    name: string,
    args: Record<string, unknown> = {},
  ): Promise<{ isError: boolean; text: string }> {
    const result = await this.client.callTool({ name, arguments: args });
    const content = result.content as { type: string; text?: string }[];
    return { isError: result.isError === true, text: content[0]?.text ?? "" };
  }

  /**
   * Calls a tool that must succeed and parses its JSON text.
   *
   * @param name the tool
   * @param args its arguments
   * @returns the parsed result
   */
  async json<T = Record<string, unknown>>(
    name: string,
    args: Record<string, unknown> = {},
  ): Promise<T> {
    const { isError, text } = await this.call(name, args);
    if (isError) throw new Error(`${name} failed: ${text}`);
    return JSON.parse(text) as T;
  }

  /**
   * Ends the session as a client does, by closing the proxy's stdin, and
   * waits for the proxy to exit.
   *
   * @returns the proxy's exit code
   */
  async close(): Promise<number | null> {
    // The SDK's own close() races the exit against a 2 s timer it never
    // clears (a leak the sanitizer reports); with the child already gone it
    // skips that.
    const child = (this.#transport as unknown as { _process?: ChildLike })
      ._process;
    let code: number | null = null;
    if (child) {
      const exited = new Promise<void>((resolve) =>
        child.once("close", (exitCode) => {
          code = exitCode;
          resolve();
        })
      );
      child.stdin?.end();
      await exited;
    }
    await this.client.close();
    return code;
  }

  /** Same as {@linkcode McpSession.close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
