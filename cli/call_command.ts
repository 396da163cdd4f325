import { RpcError } from "../engine/mod.ts";
import type { Command } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { printJson } from "./output.ts";

/** `agentos call <method> [params-json]`. */
export const call: Command = {
  name: "call",
  summary: "Call any engine JSON-RPC method and print its result as JSON",
  usage:
    "call <method> [params-json]\ncall <method> -   (params read from stdin)",
  help: `Examples:
  agentos call engine.status
  agentos call graph.list '{"shape":"task","limit":5}'
  echo '{"id":"…"}' | agentos call graph.get -

Prints the result as JSON on stdout; an engine error goes to stderr with exit 1.`,
  async run({ positionals }) {
    const [method, rawParams] = positionals;
    if (!method || positionals.length > 2) {
      throw new CliError(
        "Expected a method and at most one params argument",
        ExitCode.Error,
        "See: agentos call --help",
      );
    }
    const text = rawParams === "-"
      ? await new Response(Deno.stdin.readable).text()
      : rawParams;
    let params: unknown = {};
    if (text !== undefined && text.trim() !== "") {
      try {
        params = JSON.parse(text);
      } catch (error) {
        throw new CliError(
          `Params are not valid JSON: ${(error as Error).message}`,
        );
      }
    }
    if (
      typeof params !== "object" || params === null || Array.isArray(params)
    ) {
      throw new CliError(
        `Params must be a JSON object, got ${JSON.stringify(params)}`,
      );
    }
    let result: unknown;
    try {
      result = await callEngine(method, params as Record<string, unknown>);
    } catch (error) {
      // Here the method and code are what the user asked about.
      if (error instanceof CliError && error.cause instanceof RpcError) {
        throw new CliError(
          `${method} failed (${error.cause.code}): ${error.message}`,
          ExitCode.Error,
          undefined,
          { cause: error.cause },
        );
      }
      throw error;
    }
    printJson(result);
    return ExitCode.Ok;
  },
};
