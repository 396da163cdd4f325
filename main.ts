/**
 * The `agentos` CLI. Run it as `scripts/agentos …` (or `deno task agentos …`).
 *
 * @module
 */
import { COMMANDS, runCli } from "./cli/mod.ts";

Deno.exit(await runCli(COMMANDS, Deno.args));
