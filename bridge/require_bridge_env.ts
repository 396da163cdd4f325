/**
 * Guard run before the bridge task: the checks of `scripts/require_env.ts`,
 * plus `AGENTOS_BRIDGE_PORT`, which the task's `--allow-net` flag is built
 * from (Deno grants network access per host:port, so the permission and the
 * port the bridge listens on come from the same variable; an unset one would
 * make the flag invalid).
 *
 * @module
 */
import "../scripts/require_env.ts";
import { parsePort } from "./bridge_config.ts";

const text = Deno.env.get("AGENTOS_BRIDGE_PORT");
let problem = text === undefined || text.trim() === ""
  ? "AGENTOS_BRIDGE_PORT is not set"
  : "";
if (!problem) {
  try {
    parsePort(text);
  } catch (error) {
    problem = (error as Error).message;
  }
}
if (problem) {
  // deno-lint-ignore no-console
  console.error(
    `agentos bridge: ${problem}; set it to the port to serve on, e.g. AGENTOS_BRIDGE_PORT=3456 (the default of scripts/deno)`,
  );
  Deno.exit(1);
}
