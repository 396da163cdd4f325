/**
 * Shapes the owner adds while the engine runs: a file dropped into
 * $AGENTOS_HOME/shapes or sent with `agentos shapes add` is checked and
 * loaded with no restart, problems come back at file:line, and MCP clients
 * are told the resource list changed.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import { ResourceListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { McpSession } from "./mcp_session.ts";
import { rejectsWith, waitFor } from "./skills_helpers.ts";

const PLANT = `# A plant the owner keeps.
plant:
  description: A plant someone looks after.
  plural: plants
  identity_any: [url]
  fields:
    species: string
    wateredAt: datetime
    potSize: { type: integer, description: Diameter in centimetres }
  display: { title: name, subtitle: species }
`;

const BROKEN = `fungus:
  description: A fungus.
  fields:
    spores: strin
`;

Deno.test("shapes the owner adds load without a restart, and broken ones are reported at file:line", async (t) => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  const home = engine.paths.home;
  const shapeGet = (name: string) =>
    client.call<{ name: string; fields: Record<string, { type: string }> }>(
      "shapes.get",
      { name },
    );

  await t.step(
    "a file dropped into $AGENTOS_HOME/shapes is loaded and usable at once",
    async () => {
      await Deno.writeTextFile(`${home}/shapes/plant.yaml`, PLANT);
      const plant = await waitFor("the plant shape to load", async () => {
        try {
          return await shapeGet("plant");
        } catch {
          return undefined;
        }
      });
      assert.equal(plant.fields.potSize?.type, "integer");
      const created = await client.call<{ id: string; warnings: string[] }>(
        "graph.create",
        { shape: "plant", values: { name: "Fern", potSize: "14" } },
      );
      assert.deepEqual(created.warnings, []);
      const node = await client.call<{ values: Record<string, unknown> }>(
        "graph.get",
        { id: created.id },
      );
      assert.equal(node.values.potSize, 14, "coerced by the new shape");
    },
  );

  await t.step(
    "a broken file dropped in is a problem at its line, and the engine stays up",
    async () => {
      await Deno.writeTextFile(`${home}/shapes/fungus.yaml`, BROKEN);
      const problem = await waitFor("fungus.yaml's problem", async () => {
        const { problems } = await client.call<
          { problems: { file: string; line: number; reason: string }[] }
        >("shapes.list");
        return problems.find((p) => p.file.endsWith("fungus.yaml"));
      });
      assert.equal(problem.line, 4);
      assert.match(problem.reason, /strin/);
      await rejectsWith(shapeGet("fungus"), ErrorCode.NotFound, /fungus/);
      assert.ok(await shapeGet("plant"));
    },
  );

  await t.step(
    "shapes.add checks a file and refuses it with every problem at file:line",
    async () => {
      const error = await rejectsWith(
        client.call("shapes.add", {
          file: "/somewhere/fungus.yaml",
          text: BROKEN,
        }),
        ErrorCode.InvalidParams,
        /\/somewhere\/fungus\.yaml:4:\d+: /,
      );
      const { problems } = error.data as {
        problems: { file: string; line: number }[];
      };
      assert.deepEqual(problems.map((p) => [p.file, p.line]), [[
        "/somewhere/fungus.yaml",
        4,
      ]]);
      await rejectsWith(
        client.call("shapes.add", { file: "Bad Name.yaml", text: PLANT }),
        ErrorCode.InvalidParams,
        /Invalid shape file name/,
      );
      await rejectsWith(
        client.call("shapes.add", { file: "plant.yaml", text: 5 }),
        ErrorCode.InvalidParams,
        /"text"/,
      );
    },
  );

  await t.step(
    "shapes.add refuses a file that would break other shapes, naming them",
    async () => {
      // A sound event with no startAt: the shapes that inherit from event show
      // startAt as their display date, and would stop loading.
      const event =
        "event:\n  description: A thing that happens.\n  fields:\n    when: datetime\n";
      const error = await rejectsWith(
        client.call("shapes.add", { file: "event.yaml", text: event }),
        ErrorCode.InvalidParams,
        /was not added/,
      );
      const files = (error.data as { problems: { file: string }[] }).problems
        .map((p) => p.file.slice(p.file.lastIndexOf("/") + 1));
      assert.ok(files.includes("class.yaml"), files.join(", "));
      assert.ok((await shapeGet("class")).fields.startAt, "nothing changed");
    },
  );

  await t.step(
    "agentos shapes add loads a file and reports problems at file:line with exit 1",
    async () => {
      const dir = await Deno.makeTempDir({ prefix: "agentos-shape-src-" });
      try {
        await Deno.writeTextFile(
          `${dir}/herb.yaml`,
          PLANT.replace("plant:", "herb:").replace(
            "plural: plants",
            "plural: herbs",
          ),
        );
        await Deno.writeTextFile(`${dir}/fungus.yaml`, BROKEN);
        const ok = await runAgentos(
          home,
          ["shapes", "add", "herb.yaml"],
          undefined,
          { INIT_CWD: dir },
        );
        assert.equal(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /added shape herb/);
        assert.ok(await shapeGet("herb"));
        const bad = await runAgentos(
          home,
          ["shapes", "add", "fungus.yaml"],
          undefined,
          { INIT_CWD: dir },
        );
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, new RegExp(`${dir}/fungus\\.yaml:4:\\d+: `));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
});

Deno.test("MCP clients hear resources/list_changed when a shape is added", async () => {
  await using engine = await EngineProcess.start();
  await using session = await McpSession.open(engine.paths.home, {
    env: { AGENTOS_MCP_POLL_MS: "100" },
  });
  let changes = 0;
  session.client.setNotificationHandler(
    ResourceListChangedNotificationSchema,
    () => void changes++,
  );
  const before = (await session.client.listResources()).resources.length;
  const client = await engine.client();
  const loaded = (name: string) =>
    client.call("shapes.get", { name }).then(() => true, () => false);
  // Two additions: whichever the proxy's first poll missed, the other one
  // is a change it hears.
  await Deno.writeTextFile(`${engine.paths.home}/shapes/plant.yaml`, PLANT);
  await waitFor("the plant shape to load", () => loaded("plant"));
  await Deno.writeTextFile(
    `${engine.paths.home}/shapes/herb.yaml`,
    PLANT.replace("plant:", "herb:").replace("plural: plants", "plural: herbs"),
  );
  await waitFor("the herb shape to load", () => loaded("herb"));
  await waitFor(
    "resources/list_changed after shapes were added",
    () => changes >= 1,
  );
  const after = (await session.client.listResources()).resources;
  assert.equal(after.length, before + 2);
  assert.ok(after.some((r) => r.uri === "agentos://shape/plant"));
});
