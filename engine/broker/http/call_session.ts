import type { ConnectionInfo } from "../../skills/mod.ts";
import type { ConnectionCredential } from "../credentials/mod.ts";
import { applyAuthTemplates } from "./apply_auth_templates.ts";
import { addClientHeaders, clientKind } from "./client_kinds.ts";

/** What {@linkcode CallSession.prepare} works on. */
export interface PreparedRequest {
  method: string;
  /** The URL the skill named (query included); may gain template parameters. */
  url: URL;
  headers: Headers;
  /** The dispatch params with values in. */
  sent: Record<string, unknown>;
  /** The dispatch params as the skill sent them. */
  original: Record<string, unknown>;
}

/**
 * What one call's requests share beyond its credentials: the skill's
 * connections (their client kinds and auth templates) and each
 * connection's credential. The HTTP broker asks it to prepare each request.
 */
export class CallSession {
  #connections: ConnectionInfo[];
  #bindings: ConnectionCredential[];

  /**
   * @param connections the skill's declared connections
   * @param bindings the credential each connection holds in this call
   */
  constructor(
    connections: ConnectionInfo[],
    bindings: ConnectionCredential[],
  ) {
    this.#connections = connections;
    this.#bindings = bindings;
  }

  /**
   * Adds what the engine owes a request: the auth templates of the
   * connection it goes to and the client kind's header bundle (the
   * request's `client=`, else its connection's).
   *
   * @param request the request (changed in place)
   * @returns the connections whose templates were applied
   */
  prepare(request: PreparedRequest): string[] {
    const applied = applyAuthTemplates(request, this.#bindings);
    const kind = clientKind(request.original.client) ??
      clientKind(this.#connection(request.original)?.client);
    if (kind) addClientHeaders(request.headers, kind);
    return applied;
  }

  /** The connection a request names (`connection`), else the only one. */
  #connection(params: Record<string, unknown>): ConnectionInfo | undefined {
    const name = params.connection;
    if (typeof name === "string") {
      return this.#connections.find((c) => c.name === name);
    }
    return this.#connections.length === 1 ? this.#connections[0] : undefined;
  }
}
