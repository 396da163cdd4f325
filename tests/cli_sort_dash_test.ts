/**
 * A string option takes a value that starts with a dash (`--sort -key`, as
 * documented), not only `--sort=-key` (issue #28).
 *
 * @module
 */
import assert from "node:assert/strict";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";

Deno.test("graph list --sort -name sorts descending like --sort=-name; an option after it is still an option", async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  for (const name of ["b", "a", "c"]) {
    await client.call("graph.create", { shape: "note", values: { name } });
  }
  const names = (stdout: string) =>
    JSON.parse(stdout).items.map((i: { values: { name: string } }) =>
      i.values.name
    );
  const joined = await runAgentos(engine.paths.home, [
    "graph",
    "list",
    "note",
    "--sort=-name",
    "--json",
  ]);
  assert.equal(joined.code, 0, joined.stderr);
  const spaced = await runAgentos(engine.paths.home, [
    "graph",
    "list",
    "note",
    "--sort",
    "-name",
    "--json",
  ]);
  assert.equal(spaced.code, 0, spaced.stderr);
  assert.deepEqual(names(spaced.stdout), ["c", "b", "a"]);
  assert.deepEqual(names(spaced.stdout), names(joined.stdout));
  const missing = await runAgentos(engine.paths.home, [
    "graph",
    "list",
    "note",
    "--sort",
    "--json",
  ]);
  assert.equal(missing.code, 1);
});
