import assert from "node:assert/strict";
import {
  copyWithout,
  encodeJsonLine,
  holdsMadeJson,
  madeFacts,
  withMadeJson,
} from "./made_json.ts";

const encoder = new TextEncoder();
const plain = (value: unknown) => encoder.encode(JSON.stringify(value) + "\n");
const made = (text: string) => encoder.encode(JSON.stringify(text));

Deno.test("withMadeJson() sets a field that reads as the string its JSON encodes", () => {
  const body = 'wide \u4e00 "quoted" \\ \n lone \ud800 end';
  const result = withMadeJson({ status: 200, body: "" }, "body", made(body));
  assert.equal(result.body, body);
  assert.deepEqual(Object.keys(result), ["status", "body"]);
  assert.deepEqual({ ...result }, { status: 200, body });
});

Deno.test("encodeJsonLine() splices a field's JSON made ahead and gives the bytes JSON.stringify would", () => {
  const body = 'wide \u4e00 "quoted" \\ \n lone \ud800 end';
  const result = withMadeJson(
    { status: 200, headers: { "x-a": "b" }, body: "", after: [1, "two"] },
    "body",
    made(body),
  );
  const reply = { __type__: "dispatch_result", id: 7, result };
  const line = encodeJsonLine(reply);
  assert.deepEqual(line, plain(reply));
  assert.deepEqual(encodeJsonLine(result), plain(result));
});

Deno.test("encodeJsonLine() writes the made JSON without reading the field", () => {
  let reads = 0;
  const result = withMadeJson({ body: "" }, "body", made("made"));
  const field = Object.getOwnPropertyDescriptor(result, "body")!;
  Object.defineProperty(result, "body", {
    ...field,
    get: () => (reads++, field.get!()),
  });
  assert.equal(
    new TextDecoder().decode(encodeJsonLine({ id: 1, result })),
    '{"id":1,"result":{"body":"made"}}\n',
  );
  assert.equal(reads, 0);
});

Deno.test("encodeJsonLine() serialises a field set after its JSON was made, and copies carry none", () => {
  const result = withMadeJson({ body: "" }, "body", made("first"));
  result.body = "second";
  assert.equal(result.body, "second");
  assert.deepEqual(encodeJsonLine({ result }), plain({ result }));
  const copy = { ...withMadeJson({ body: "" }, "body", made("x")) };
  copy.body += "y";
  assert.deepEqual(encodeJsonLine({ copy }), plain({ copy }));
});

Deno.test("encodeJsonLine() finds its markers wherever the text holds them, and never a look-alike in the data", () => {
  const inner = withMadeJson({ b: "" }, "b", made("B"));
  const outer = withMadeJson(
    { a: inner, z: "made-json-", b: "" },
    "b",
    made("Z"),
  );
  assert.deepEqual(encodeJsonLine(outer), plain(outer));
});

Deno.test("encodeJsonLine() splices made JSON found deeper along marked containers, arrays included, and keeps its facts", () => {
  // A spelling of "A" JSON.stringify never writes: only a splice puts it there.
  const spelled = encoder.encode('"\\u0041"');
  const item: Record<string, unknown> = { n: 1, text: "" };
  withMadeJson(item, "text", spelled, "A", { placeholder: true });
  const list: unknown[] = ["x", ""];
  withMadeJson(list as unknown as object, "1" as never, spelled, "A");
  const value = { items: [item], list };
  const reply = { jsonrpc: "2.0", id: 1, result: { result: value } };
  // Unmarked: three levels down is not looked into, the text is serialised.
  assert.deepEqual(encodeJsonLine(reply), plain(reply));
  for (const container of [value, value.items, list]) holdsMadeJson(container);
  assert.equal(
    new TextDecoder().decode(encodeJsonLine(reply)),
    '{"jsonrpc":"2.0","id":1,"result":{"result":{"items":[{"n":1,"text":"\\u0041"}],"list":["x","\\u0041"]}}}\n',
  );
  assert.equal(item.text, "A");
  assert.deepEqual(madeFacts(item, "text"), { placeholder: true });
  item.text = "B";
  assert.equal(madeFacts(item, "text"), undefined);
  assert.equal(
    new TextDecoder().decode(encodeJsonLine(reply)),
    '{"jsonrpc":"2.0","id":1,"result":{"result":{"items":[{"n":1,"text":"B"}],"list":["x","\\u0041"]}}}\n',
  );
});

Deno.test("copyWithout() leaves keys out and keeps the made JSON of the rest", () => {
  const spelled = encoder.encode('"\\u0041"');
  const value = withMadeJson(
    { text: "", __data__: { n: 1 }, n: 2 },
    "text",
    spelled,
    "A",
  );
  const copy = copyWithout(value, ["__data__"]);
  assert.deepEqual({ ...copy }, { text: "A", n: 2 });
  assert.equal(
    new TextDecoder().decode(encodeJsonLine({ result: copy })),
    '{"result":{"text":"\\u0041","n":2}}\n',
  );
});
