/**
 * What the SQL broker's tests share: a connection as discovery reports it,
 * and a broker over a real sandbox in an owner-only temporary home.
 *
 * @module
 */
import { openDatabase } from "../../graph/mod.ts";
import type { ConnectionInfo } from "../../skills/mod.ts";
import { SqlBroker } from "./sql_broker.ts";
import { openTestSandbox } from "../../../tests/_sandbox.ts";

/** A connection with these fields over the defaults discovery gives. */
export function connection(fields: Record<string, unknown>): ConnectionInfo {
  return {
    name: "db",
    base_url: null,
    domain: null,
    auth: null,
    description: null,
    label: null,
    help_url: null,
    optional: null,
    client: null,
    file: "x.py",
    line: 1,
    ...fields,
  };
}

/**
 * Runs `fn` with a broker whose queries time out after `timeoutS`.
 *
 * @param fn the test body, given the broker and the home
 * @param timeoutS each query's limit (`"default"`: the broker's own)
 */
export async function withBroker(
  fn: (broker: SqlBroker, dir: string) => Promise<void>,
  timeoutS: number | "default" = 1,
): Promise<void> {
  // Owner-only, as in a real home: a root engine's runner (nobody) reads
  // the database only through the capability it drops before the query.
  const dir = await Deno.makeTempDir();
  const graph = openDatabase(`${dir}/agentos.db`);
  const sandbox = await openTestSandbox(dir);
  try {
    graph.exec(
      `INSERT INTO settings (key, value, updated_at) VALUES ('prefs.x', '"1"', 'now')`,
    );
    await fn(
      new SqlBroker({
        sandbox,
        graphPath: `${dir}/agentos.db`,
        skillDataDir: `${dir}/skill-data`,
        engineHome: dir,
        timeoutS: timeoutS === "default" ? undefined : timeoutS,
      }),
      dir,
    );
  } finally {
    await sandbox.close();
    graph.close();
    await Deno.remove(dir, { recursive: true });
  }
}
