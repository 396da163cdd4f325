/**
 * The bench's no-op skill (`bench/skills/noop`): installing and calling it.
 *
 * @module
 */
import type { RpcClient } from "../../engine/rpc/mod.ts";
import { REPO_ROOT } from "../../tests/_task_command.ts";

/** Installs the no-op skill on the engine behind `client`. */
export async function addNoopSkill(client: RpcClient): Promise<void> {
  await client.call("skills.add", { path: `${REPO_ROOT}/bench/skills/noop` });
}

/** One call of the no-op capability. */
export function invokeNoop(client: RpcClient): Promise<unknown> {
  return client.call("capability.invoke", { name: "bench_noop", params: {} });
}
