/**
 * Tells the MCP client when its lists go stale: a poll of the engine's
 * skills and shapes that sends `tools/list_changed` and
 * `resources/list_changed` when what they would list has changed.
 *
 * @module
 */
import type { Server } from "./_sdk.ts";
import { type EngineLink, EngineUnavailableError } from "./engine_link.ts";
import type { McpLog } from "./mcp_log.ts";
import type { ToolCatalog } from "./tool_catalog.ts";

/** What {@linkcode ChangePoll} reads and whom it tells. */
export interface ChangePollOptions {
  /** The session the notifications go to. */
  server: Server;
  /** The capability tools, fingerprinted. */
  catalog: ToolCatalog;
  /** The engine connection, for `shapes.list`. */
  link: EngineLink;
  /** The proxy's log. */
  log: McpLog;
  /** How often to look, in ms; 0 turns it off. */
  pollMs: number;
}

/** The skills-and-shapes poll behind the list-changed notifications. */
export class ChangePoll {
  #server: Server;
  #catalog: ToolCatalog;
  #link: EngineLink;
  #log: McpLog;
  #pollMs: number;
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  #polling = false;
  #fingerprint: string | undefined;
  #shapesFingerprint: string | undefined;

  /** @param options the session, the catalog, the link, the log and the interval */
  constructor(options: ChangePollOptions) {
    this.#server = options.server;
    this.#catalog = options.catalog;
    this.#link = options.link;
    this.#log = options.log;
    this.#pollMs = options.pollMs;
  }

  /** Starts polling (once; not at all when the interval is 0). */
  start(): void {
    if (this.#pollMs <= 0 || this.#pollTimer !== undefined) return;
    this.#pollTimer = setInterval(() => this.#poll(), this.#pollMs);
    Deno.unrefTimer(this.#pollTimer);
    this.#poll();
  }

  /**
   * Polling rather than the observer stream: skill changes need not be
   * graph changes, and a poll survives engine restarts with no
   * resubscription. Two small reads every couple of seconds, never starting
   * an engine.
   */
  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const fingerprint = await this.#catalog.fingerprint();
      if (
        this.#fingerprint !== undefined && fingerprint !== this.#fingerprint
      ) {
        this.#log.info("Skills changed; the tool list changed");
        await this.#server.sendToolListChanged();
      }
      this.#fingerprint = fingerprint;
      // Shapes are the resource list: one added or reloaded while the
      // engine runs is news to the client.
      const shapes = await this.#link.call<
        { shapes?: { name: string }[]; generation?: number }
      >("shapes.list", {}, {
        retrySafe: true,
        timeoutMs: 10_000,
        noStart: true,
      });
      const shapesFingerprint = JSON.stringify([
        shapes.generation ?? 0,
        (shapes.shapes ?? []).map((s) => s.name),
      ]);
      if (
        this.#shapesFingerprint !== undefined &&
        shapesFingerprint !== this.#shapesFingerprint
      ) {
        this.#log.info("Shapes changed; the resource list changed");
        await this.#server.sendResourceListChanged();
      }
      this.#shapesFingerprint = shapesFingerprint;
    } catch (error) {
      if (!(error instanceof EngineUnavailableError)) {
        this.#log.debug("Skills poll failed", {
          error: (error as Error).message,
        });
      }
    } finally {
      this.#polling = false;
    }
  }

  /** Stops polling. */
  stop(): void {
    clearInterval(this.#pollTimer);
  }
}
