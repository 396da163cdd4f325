import type { HttpTape } from "../http/mod.ts";
import type { ClientModel } from "./client_model.ts";
import type { NestedOnce, OnceGrant } from "../../grants/mod.ts";

/** What was written to the graph by one call's returned records. */
export interface RecordCounts {
  /** Nodes created, top-level records and relation children together. */
  created: number;
  /** Existing nodes that changed. */
  updated: number;
  /** Values that could not be stored as given, and records left out. */
  warnings: string[];
  /** Ids of the top-level records, in result order. */
  ids: string[];
}

/** One tool run the capability broker asks for. */
export interface ToolRun {
  skill: string;
  tool: string;
  params: Record<string, unknown>;
  /** The capability this run serves, for events and logs. */
  capability?: string;
  /** Aborted when the caller goes away: the worker is killed. */
  signal?: AbortSignal;
  /** Receives the skill's progress reports. */
  onProgress?: (report: Record<string, unknown>) => void;
  /** Skills whose calls led to this one (`capability.call`), outermost first. */
  chain?: string[];
  /** Record brokered HTTP to it, or answer from it without the network. */
  tape?: HttpTape;
  /** The model of the MCP client whose tool call started the work (sampling). */
  clientModel?: ClientModel;
  /** A grant the owner gave for this call only (applied to its skill and tool alone). */
  once?: OnceGrant;
  /** A retried call's once-grant for a provider it reaches (`OnceGrant.via`). */
  nestedOnce?: NestedOnce;
}

/**
 * Runs one provider's tool: the narrow interface the capability broker
 * needs, so it depends on no worker code (the skill runner implements it).
 */
export interface ToolRunner {
  run(request: ToolRun): Promise<{ result: unknown; records: RecordCounts }>;
}
