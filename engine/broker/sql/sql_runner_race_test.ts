/**
 * The query runner's own checks, run unconfined (as with
 * `AGENTOS_SANDBOX=none`, where its view is the whole host): a name is
 * resolved and must stay in its grant; and after SQLite has opened its
 * files, every file the process holds must be one it resolved. The race
 * is made certain here: SQLite's `connect` is wrapped to swap the checked
 * file for a link to the engine's database between the check and the
 * open. Only the open-files check stands between that swap and the
 * engine's tables.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SQL_RUNNER_PY } from "./_sql_runner.ts";
import { realPython } from "../../../tests/_task_command.ts";

/** Runs before the runner: the swap, at the last moment. */
const SWAP = String.raw`
import os, sqlite3, sys
_connect = sqlite3.connect
def _swapping(*args, **kwargs):
    os.replace(sys.argv[1], sys.argv[2])
    return _connect(*args, **kwargs)
sqlite3.connect = _swapping
`;

/** Runs the runner unconfined with a prelude; returns its stdout. */
async function runRunner(
  prelude: string,
  request: Record<string, unknown>,
  argv: string[] = [],
): Promise<string> {
  const child = new Deno.Command(realPython(), {
    args: ["-I", "-S", "-c", prelude + SQL_RUNNER_PY, ...argv],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(request)));
  await writer.close();
  const out = await child.output();
  return new TextDecoder().decode(out.stdout);
}

/** A query of a granted path, as the broker sends it. */
function request(dir: string, path: string, engineIds: string[]) {
  return {
    path,
    host: true,
    attach: [],
    views: [{ path: `${dir}/granted`, pin: null }],
    engine_ids: engineIds,
    snapshot: false,
    sql: "SELECT group_concat(name) AS names FROM sqlite_master",
    params: null,
    max_rows: 10,
    max_bytes: 100_000,
    timeout_s: 5,
    deny_tables: [],
  };
}

Deno.test("the runner resolves a granted name itself: a link out of the grant is refused where the whole host is visible", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${dir}/granted`);
    const outside = new DatabaseSync(`${dir}/outside.db`);
    outside.exec("CREATE TABLE outside_the_grant (x TEXT)");
    outside.close();
    await Deno.symlink(`${dir}/outside.db`, `${dir}/granted/link.db`);
    const answer = JSON.parse(
      await runRunner("", request(dir, `${dir}/granted/link.db`, [])),
    );
    assert.doesNotMatch(JSON.stringify(answer), /outside_the_grant/);
    assert.equal(answer.kind, "grant", JSON.stringify(answer));
    assert.match(answer.error, /not a file inside the grant/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the runner refuses a file swapped for a link to the engine's database after its check", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    const engineDb = `${dir}/agentos.db`;
    const engine = new DatabaseSync(engineDb);
    engine.exec("CREATE TABLE secrets (value TEXT)");
    engine.close();
    await Deno.mkdir(`${dir}/granted`);
    const granted = `${dir}/granted/app.db`;
    const app = new DatabaseSync(granted);
    app.exec("CREATE TABLE visits (title TEXT)");
    app.close();
    await Deno.symlink(engineDb, `${dir}/swap`);
    const info = await Deno.stat(engineDb);
    const out = await runRunner(
      SWAP,
      request(dir, granted, [`${info.dev}:${info.ino}`]),
      [`${dir}/swap`, granted],
    );
    const answer = JSON.parse(out);
    assert.doesNotMatch(JSON.stringify(answer), /secrets/);
    assert.equal(answer.kind, "grant", JSON.stringify(answer));
    assert.match(answer.error, /engine's own was opened/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
