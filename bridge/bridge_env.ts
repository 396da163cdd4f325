import type { EngineLink } from "./engine_link.ts";
import type { GraphReader } from "./graph_reader.ts";
import type { BridgeLimits } from "./bridge_limits.ts";

/** The Hono environment of the bridge's routes: what middleware sets. */
export interface BridgeEnv {
  Variables: {
    /** Who mutations are recorded as: `app:<origin>`, or `app:local`. */
    actor: string;
  };
}

/** What the routers work with. */
export interface BridgeServices {
  /** The read-only graph. */
  reader: GraphReader;
  /** The engine, for mutations, invocations and the observer feed. */
  engine: EngineLink;
  /** Size, query and stream limits. */
  limits: BridgeLimits;
  /** Where unexpected errors are reported. */
  log: (message: string, error?: unknown) => void;
}
