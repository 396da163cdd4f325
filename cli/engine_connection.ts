import {
  type HomePaths,
  resolveHome,
  RpcClient,
  RpcError,
} from "../engine/mod.ts";
import { CliError, ExitCode } from "./exit_codes.ts";

/** The hint printed whenever the engine is not running. */
export const START_HINT =
  "The engine is not running; start it with: agentos engine start";

/**
 * Connects to the engine of the current home.
 *
 * @param paths the home (default: from the environment)
 * @returns a connected client
 * @throws {CliError} exit code 2 when no engine answers
 */
export async function connectEngine(
  paths: HomePaths = resolveHome(),
): Promise<RpcClient> {
  try {
    return await RpcClient.connect(paths.socket);
  } catch (error) {
    if (
      error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.ConnectionRefused
    ) {
      throw new CliError(
        `No engine answers at "${paths.socket}"`,
        ExitCode.Unreachable,
        START_HINT,
      );
    }
    throw error;
  }
}

/**
 * Calls one method on a fresh connection and closes it.
 *
 * @param method `namespace.verb`
 * @param params named parameters
 * @returns the result
 * @throws {CliError} exit code 2 when no engine answers, 1 for an RPC error
 */
export async function callEngine<T = unknown>(
  method: string,
  params: Record<string, unknown> = {},
): Promise<T> {
  const client = await connectEngine();
  try {
    return await client.call<T>(method, params);
  } catch (error) {
    if (error instanceof RpcError) {
      // The engine's message names CLI commands; the method name would not
      // help a user. The RpcError stays the cause (its data, its code).
      throw new CliError(error.message, ExitCode.Error, undefined, {
        cause: error,
      });
    }
    throw error;
  } finally {
    await client.close();
  }
}

/**
 * The running engine's `engine.status`, or undefined when none answers
 * (for reports that work with or without an engine).
 *
 * @param paths the home
 */
export async function tryEngineStatus(
  paths: HomePaths,
): Promise<Record<string, unknown> | undefined> {
  let client: RpcClient | undefined;
  try {
    client = await RpcClient.connect(paths.socket);
    return await client.call("engine.status", {}, { timeoutMs: 3000 });
  } catch {
    return undefined;
  } finally {
    await client?.close();
  }
}
