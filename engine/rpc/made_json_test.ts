import assert from "node:assert/strict";
import { encodeJsonLine, withMadeJson } from "./made_json.ts";

const encoder = new TextEncoder();
const plain = (value: unknown) => encoder.encode(JSON.stringify(value) + "\n");
const made = (text: string) => encoder.encode(JSON.stringify(text));

Deno.test("encodeJsonLine() splices a field's JSON made ahead and gives the bytes JSON.stringify would", () => {
  const body = 'wide \u4e00 "quoted" \\ \n lone \ud800 end';
  const result = withMadeJson(
    { status: 200, headers: { "x-a": "b" }, body, after: [1, "two"] },
    "body",
    made(body),
  );
  const reply = { __type__: "dispatch_result", id: 7, result };
  assert.deepEqual(encodeJsonLine(reply), plain(reply));
  assert.deepEqual(encodeJsonLine(result), plain(result));
});

Deno.test("encodeJsonLine() uses the made JSON, not a second serialisation of the field", () => {
  // Bytes that differ from the field's own JSON show which was written.
  const result = withMadeJson({ body: "real" }, "body", made("made"));
  assert.equal(
    new TextDecoder().decode(encodeJsonLine({ id: 1, result })),
    '{"id":1,"result":{"body":"made"}}\n',
  );
});

Deno.test("encodeJsonLine() serialises a field changed after its JSON was made, and copies carry none", () => {
  const result = withMadeJson({ body: "first" }, "body", made("stale"));
  result.body = "second";
  assert.deepEqual(encodeJsonLine({ result }), plain({ result }));
  const copy = { ...withMadeJson({ body: "x" }, "body", made("stale")) };
  assert.deepEqual(encodeJsonLine({ copy }), plain({ copy }));
});

Deno.test("encodeJsonLine() finds its markers wherever the text holds them, and never a look-alike in the data", () => {
  const inner = withMadeJson({ b: "B" }, "b", made("B"));
  const outer = withMadeJson(
    { a: inner, z: "made-json-", b: "Z" },
    "b",
    made("Z"),
  );
  assert.deepEqual(encodeJsonLine(outer), plain(outer));
});
