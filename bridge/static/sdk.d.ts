/**
 * Types of the AgentOS app SDK (`/sdk.js`).
 *
 * @module
 */

/** One page of a node's neighbourhood (`GET /graph/:id/neighbourhood`). */
export interface Neighbourhood {
  focus: string;
  depth: number;
  /** The focus first (first page only), then neighbours by hop and id. */
  nodes: {
    id: string;
    shapes: string[];
    title?: string;
    hop: number;
    deleted: boolean;
  }[];
  edges: { id: string; from: string; label: string; to: string }[];
  shapes: Record<string, { plural: string; title?: string }>;
  /** The whole neighbourhood's size (focus excluded), by first shape. */
  total: { nodes: number; byShape: Record<string, number> };
  /** The walk stopped at the bridge's scan limit: `total` is a lower bound. */
  truncated: boolean;
  edgesTruncated: boolean;
  cursor: string | null;
}

/** Options of {@linkcode createClient}. */
export interface ClientOptions {
  /** The bridge, e.g. `http://127.0.0.1:3456` (default: where sdk.js came from). */
  baseUrl?: string;
  /** The app token (`agentos bridge token`): needed from other origins and for writes. */
  token?: string;
  /** The fetch to use (default: the global one). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
}

/** A scalar filter of {@linkcode ListQuery.where}. */
export interface Filter {
  key: string;
  op: "=" | "!=" | "<" | ">" | "<=" | ">=" | "contains";
  value: string | number | boolean | null;
}

/** Parameters of `graph.list`. */
export interface ListQuery {
  /** Only nodes of this shape (inherited shapes count). */
  shape?: string;
  /** Full-text search over string and text values. */
  q?: string;
  /** Value filters, all of which must hold; `{key: value}` means equality. */
  where?: Filter[] | Record<string, string | number | boolean | null>;
  /** `key` or `-key` (descending); default `-created`. */
  sort?: string;
  /** Page size, 1 to 200 (default 50). */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
}

/** A node in a list page. */
export interface ListedNode {
  id: string;
  shapes: string[];
  title?: string;
  values: Record<string, unknown>;
  /** Keys whose long string value was cut (get the node for all of it). */
  truncated?: string[];
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** An edge of a node. */
export interface Edge {
  id: string;
  from: string;
  label: string;
  to: string;
  values: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** One node with everything around it. */
export interface Node {
  id: string;
  title?: string;
  shapes: string[];
  values: Record<string, unknown>;
  types: Record<string, string>;
  edges_out: Edge[];
  edges_in: Edge[];
  /** Shapes and titles of the nodes at the other ends of the edges, by id. */
  related: Record<
    string,
    { shapes: string[]; title?: string; deleted: boolean }
  >;
  provenance: {
    createdBy: string | null;
    actors: { actor: string; changes: number; first: string; last: string }[];
    importedFrom: string[];
  };
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** A committed change, as the change log and the observer give it. */
export interface Change {
  id: number;
  at: string;
  actor: string;
  op: string;
  targetKind: "node" | "edge";
  targetId: string;
  key: string | null;
  old: unknown;
  new: unknown;
}

/** A loaded shape. */
export interface Shape {
  name: string;
  plural: string;
  description: string;
  also: string[];
  identity: string[];
  identityAny: string[];
  fields: Record<
    string,
    {
      type:
        | "string"
        | "text"
        | "integer"
        | "number"
        | "boolean"
        | "datetime"
        | "url"
        | "enum"
        | "json";
      list: boolean;
      values?: string[];
      description?: string;
    }
  >;
  relations: Record<
    string,
    { shape: string; list: boolean; description?: string }
  >;
  display: Record<string, unknown>;
  /** Live nodes with this shape. */
  count: number;
}

/** What `observe` delivers. */
export type ObserverEvent =
  | ({ kind: "change" } & Change)
  | {
    kind: "call";
    phase: "started" | "completed" | "failed";
    at: string;
    [key: string]: unknown;
  }
  | {
    kind: "reset";
    reason: "gap" | "unknown";
    lastEventId: number;
    oldest: number;
    latest: number;
    replayWindow: number;
    message: string;
  }
  | { kind: "ready"; after: number };

/** Options of `observe`. */
export interface ObserveOptions {
  /** Start after this change id (default: only new changes). */
  since?: number;
  /** Told about failures; the stream reconnects unless the bridge refused (4xx). */
  onError?: (error: unknown) => void;
}

/** A running observation. */
export interface Observation {
  /** The last change id received: where a reconnect resumes. */
  readonly lastEventId: number | undefined;
  /** Stops observing; resolves once the connection is gone. */
  close(): Promise<void>;
}

/** A client of one bridge. */
export interface AgentOS {
  /** Sets the app token used from now on. */
  setToken(token: string | undefined): void;
  /** A capability by name; the engine picks the provider. */
  capability(name: string): {
    invoke<T = unknown>(
      params?: Record<string, unknown>,
    ): Promise<{ result: T; provider: string; attempts: unknown[] }>;
  };
  graph: {
    list(
      query?: ListQuery,
    ): Promise<{ items: ListedNode[]; cursor: string | null }>;
    get(id: string): Promise<Node>;
    history(
      id: string,
      query?: { after?: number; limit?: number },
    ): Promise<{ id: string; changes: Change[] }>;
    /** Nodes within 1 or 2 hops, the edges among them, their shapes and titles; paged. */
    neighbourhood(
      id: string,
      query?: { depth?: 1 | 2; limit?: number; cursor?: string | null },
    ): Promise<Neighbourhood>;
    create(
      record: { shape?: string; values: Record<string, unknown> },
    ): Promise<{ id: string; created: boolean; warnings: string[] }>;
    update(
      id: string,
      values: Record<string, unknown>,
    ): Promise<{ id: string; changed: number; warnings: string[] }>;
    delete(
      id: string,
    ): Promise<{ id: string; kind: "node" | "edge"; deleted: boolean }>;
    restore(
      id: string,
    ): Promise<{ id: string; kind: "node" | "edge"; restored: boolean }>;
    link(
      from: string,
      label: string,
      to: string,
      values?: Record<string, unknown>,
    ): Promise<{ id: string }>;
  };
  /** The loaded shapes with counts. */
  shapes(): Promise<Shape[]>;
  /** The owner's node and preferences. */
  user(): Promise<
    { id: string; node: Node; preferences: Record<string, unknown> }
  >;
  /** Live changes and calls, resuming after a drop without loss. */
  observe(
    callback: (event: ObserverEvent) => void,
    options?: ObserveOptions,
  ): Observation;
}

/** A refusal or failure reported by the bridge. */
export declare class AgentOSError extends Error {
  /** The HTTP status. */
  status: number;
  /** A stable word, e.g. `not_found`, `unauthorized`. */
  code: string;
  /** The engine's JSON-RPC code, when the engine refused. */
  rpcCode?: number;
  /** The engine's detail, when given. */
  data?: unknown;
  constructor(
    message: string,
    status: number,
    code: string,
    detail?: { rpcCode?: number; data?: unknown },
  );
}

/** Creates a client of one bridge. */
export declare function createClient(options?: ClientOptions): AgentOS;

/** A client of the bridge that served the module (same origin, no token). */
export declare const agentos: AgentOS;
export default agentos;
