import assert from "node:assert/strict";
import { capabilityTools } from "./capability_tools.ts";

Deno.test("capabilityTools() names each tool after its capability and keeps the providers' schema", () => {
  const params = {
    type: "object",
    properties: { url: { type: "string" } },
    required: ["url"],
  };
  const [tool] = capabilityTools([{
    name: "web_read",
    description: "Fetch a page",
    providers: ["reader-b", "reader-a"],
    params,
  }], new Set());
  assert.equal(tool!.definition.name, "web_read");
  assert.deepEqual(tool!.definition.inputSchema, params);
  assert.match(
    tool!.definition.description!,
    /^Fetch a page\. .*reader-a, reader-b/,
  );
  assert.deepEqual(tool!.params({ url: "u" }, "agent:x"), {
    name: "web_read",
    params: { url: "u" },
  });
  assert.equal(tool!.long, true);
});

Deno.test("capabilityTools() makes names valid and moves clashing ones aside", () => {
  const tools = capabilityTools([
    { name: "email.lookup" },
    { name: "graph_list" },
    { name: "" },
    { name: "x".repeat(80) },
  ], new Set(["graph_list"]));
  assert.deepEqual(tools.map((t) => t.definition.name), [
    "email_lookup",
    "capability_graph_list",
    "x".repeat(64),
  ]);
  assert.deepEqual(tools[0]!.params({}, "agent:x"), {
    name: "email.lookup",
    params: {},
  });
  assert.deepEqual(tools[0]!.definition.inputSchema, {
    type: "object",
    additionalProperties: true,
  });
});
