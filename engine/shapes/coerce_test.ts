import assert from "node:assert/strict";
import { coerceValue, storageType } from "./coerce.ts";
import type { FieldSpec, ScalarType } from "./field_type.ts";

function f(type: ScalarType, options: Partial<FieldSpec> = {}): FieldSpec {
  return { type, list: false, ...options };
}
function list(type: ScalarType, options: Partial<FieldSpec> = {}): FieldSpec {
  return { type, list: true, ...options };
}
const STATUS = f("enum", { values: ["active", "suspended", "deleted"] });

interface Case {
  field: FieldSpec | undefined;
  raw: unknown;
  value: string | number | boolean | null;
  type: string;
  warns?: boolean;
}

// [field, raw input, expected value, expected type, warning expected?]
const CASES: [string, Case][] = [
  // integer
  ["integer from a numeric string", {
    field: f("integer"),
    raw: "495",
    value: 495,
    type: "integer",
  }],
  ["integer from a padded string", {
    field: f("integer"),
    raw: " 42 ",
    value: 42,
    type: "integer",
  }],
  ["integer from a grouped string", {
    field: f("integer"),
    raw: "1,234",
    value: 1234,
    type: "integer",
  }],
  ["integer from a grouped decimal string", {
    field: f("integer"),
    raw: "-1,234,567.8",
    value: -1234567,
    type: "integer",
  }],
  ["integer truncates a float", {
    field: f("integer"),
    raw: 3.9,
    value: 3,
    type: "integer",
  }],
  ["integer truncates a negative float toward zero", {
    field: f("integer"),
    raw: -3.9,
    value: -3,
    type: "integer",
  }],
  ["integer truncates -0.5 to 0, not -0", {
    field: f("integer"),
    raw: -0.5,
    value: 0,
    type: "integer",
  }],
  ["integer truncates a float string", {
    field: f("integer"),
    raw: "7.5",
    value: 7,
    type: "integer",
  }],
  ["integer from an exponent string", {
    field: f("integer"),
    raw: "1e3",
    value: 1000,
    type: "integer",
  }],
  ["integer from true", {
    field: f("integer"),
    raw: true,
    value: 1,
    type: "integer",
  }],
  ["integer keeps a word as text", {
    field: f("integer"),
    raw: "abc",
    value: "abc",
    type: "text",
    warns: true,
  }],
  ["integer keeps an empty string as text", {
    field: f("integer"),
    raw: "",
    value: "",
    type: "text",
    warns: true,
  }],
  ["integer keeps badly grouped digits as text", {
    field: f("integer"),
    raw: "1,23",
    value: "1,23",
    type: "text",
    warns: true,
  }],
  ["integer keeps an unsafe integer as text", {
    field: f("integer"),
    raw: 1e21,
    value: "1e+21",
    type: "text",
    warns: true,
  }],
  ["integer keeps NaN as text", {
    field: f("integer"),
    raw: NaN,
    value: "NaN",
    type: "text",
    warns: true,
  }],
  ["integer keeps an object as JSON text", {
    field: f("integer"),
    raw: { a: 1 },
    value: '{"a":1}',
    type: "text",
    warns: true,
  }],
  // number
  ["number from a string", {
    field: f("number"),
    raw: "3.14",
    value: 3.14,
    type: "number",
  }],
  ["number keeps the fraction", {
    field: f("number"),
    raw: 2.5,
    value: 2.5,
    type: "number",
  }],
  ["number from a grouped string", {
    field: f("number"),
    raw: "12,345.5",
    value: 12345.5,
    type: "number",
  }],
  ["number from a leading-dot string", {
    field: f("number"),
    raw: ".5",
    value: 0.5,
    type: "number",
  }],
  ["number keeps a currency string as text", {
    field: f("number"),
    raw: "$12",
    value: "$12",
    type: "text",
    warns: true,
  }],
  ["number keeps Infinity as text", {
    field: f("number"),
    raw: Infinity,
    value: "Infinity",
    type: "text",
    warns: true,
  }],
  // boolean
  ["boolean from yes", {
    field: f("boolean"),
    raw: "yes",
    value: true,
    type: "boolean",
  }],
  ["boolean from NO in capitals", {
    field: f("boolean"),
    raw: "NO",
    value: false,
    type: "boolean",
  }],
  ["boolean from On", {
    field: f("boolean"),
    raw: " On ",
    value: true,
    type: "boolean",
  }],
  ["boolean from off", {
    field: f("boolean"),
    raw: "off",
    value: false,
    type: "boolean",
  }],
  ["boolean from the string 1", {
    field: f("boolean"),
    raw: "1",
    value: true,
    type: "boolean",
  }],
  ["boolean from the string 0", {
    field: f("boolean"),
    raw: "0",
    value: false,
    type: "boolean",
  }],
  ["boolean from the number 1", {
    field: f("boolean"),
    raw: 1,
    value: true,
    type: "boolean",
  }],
  ["boolean from the number 0", {
    field: f("boolean"),
    raw: 0,
    value: false,
    type: "boolean",
  }],
  ["boolean from TRUE", {
    field: f("boolean"),
    raw: "TRUE",
    value: true,
    type: "boolean",
  }],
  ["boolean keeps maybe as text", {
    field: f("boolean"),
    raw: "maybe",
    value: "maybe",
    type: "text",
    warns: true,
  }],
  ["boolean keeps the number 2 as text", {
    field: f("boolean"),
    raw: 2,
    value: "2",
    type: "text",
    warns: true,
  }],
  // datetime
  ["datetime from RFC 3339 with offset", {
    field: f("datetime"),
    raw: "2024-01-02T05:04:05+02:00",
    value: "2024-01-02T03:04:05.000Z",
    type: "datetime",
  }],
  ["datetime from RFC 3339 with fraction", {
    field: f("datetime"),
    raw: "2024-01-02T03:04:05.123456Z",
    value: "2024-01-02T03:04:05.123Z",
    type: "datetime",
  }],
  ["datetime from RFC 2822", {
    field: f("datetime"),
    raw: "Tue, 01 Jul 2025 10:00:00 +0000",
    value: "2025-07-01T10:00:00.000Z",
    type: "datetime",
  }],
  ["datetime from RFC 2822 with a US zone", {
    field: f("datetime"),
    raw: "Tue, 1 Jul 2025 10:00:00 PDT",
    value: "2025-07-01T17:00:00.000Z",
    type: "datetime",
  }],
  ["datetime from a date", {
    field: f("datetime"),
    raw: "2024-03-05",
    value: "2024-03-05T00:00:00.000Z",
    type: "datetime",
  }],
  ["datetime from a year and month", {
    field: f("datetime"),
    raw: "2024-03",
    value: "2024-03-01T00:00:00.000Z",
    type: "datetime",
  }],
  ["datetime from a year string", {
    field: f("datetime"),
    raw: "2024",
    value: "2024-01-01T00:00:00.000Z",
    type: "datetime",
  }],
  ["datetime from unix seconds", {
    field: f("datetime"),
    raw: 1700000000,
    value: "2023-11-14T22:13:20.000Z",
    type: "datetime",
  }],
  ["datetime from unix milliseconds", {
    field: f("datetime"),
    raw: 1700000000123,
    value: "2023-11-14T22:13:20.123Z",
    type: "datetime",
  }],
  ["datetime from a unix seconds string", {
    field: f("datetime"),
    raw: "1700000000",
    value: "2023-11-14T22:13:20.000Z",
    type: "datetime",
  }],
  ["datetime from a unix milliseconds string", {
    field: f("datetime"),
    raw: "1700000000123",
    value: "2023-11-14T22:13:20.123Z",
    type: "datetime",
  }],
  ["datetime from a Date", {
    field: f("datetime"),
    raw: new Date(Date.UTC(2020, 1, 29)),
    value: "2020-02-29T00:00:00.000Z",
    type: "datetime",
  }],
  ["datetime from an English date", {
    field: f("datetime"),
    raw: "March 5, 2024",
    value: "2024-03-05T00:00:00.000Z",
    type: "datetime",
  }],
  ["datetime keeps a day that does not exist as text", {
    field: f("datetime"),
    raw: "2023-02-29",
    value: "2023-02-29",
    type: "text",
    warns: true,
  }],
  ["datetime keeps an ambiguous date as text", {
    field: f("datetime"),
    raw: "03/05/2024",
    value: "03/05/2024",
    type: "text",
    warns: true,
  }],
  ["datetime keeps a word as text", {
    field: f("datetime"),
    raw: "soon",
    value: "soon",
    type: "text",
    warns: true,
  }],
  // url
  ["url keeps an https url", {
    field: f("url"),
    raw: "https://example.com/a?b=1",
    value: "https://example.com/a?b=1",
    type: "url",
  }],
  ["url trims spaces", {
    field: f("url"),
    raw: "  http://example.com  ",
    value: "http://example.com",
    type: "url",
  }],
  ["url accepts mailto", {
    field: f("url"),
    raw: "mailto:joe@example.com",
    value: "mailto:joe@example.com",
    type: "url",
  }],
  ["url completes a protocol-relative url", {
    field: f("url"),
    raw: "//cdn.example.com/x.png",
    value: "https://cdn.example.com/x.png",
    type: "url",
  }],
  ["url keeps a bare domain as text", {
    field: f("url"),
    raw: "example.com",
    value: "example.com",
    type: "text",
    warns: true,
  }],
  ["url keeps a relative path as text", {
    field: f("url"),
    raw: "/a/b",
    value: "/a/b",
    type: "text",
    warns: true,
  }],
  // With "//" the opaque-scheme rule passes these: only the unsafe-scheme
  // rule stands between them and a stored, clickable url.
  ["url refuses javascript: even with //", {
    field: f("url"),
    raw: "javascript://%0Aalert(1)",
    value: "javascript://%0Aalert(1)",
    type: "text",
    warns: true,
  }],
  ["url refuses javascript: in any case", {
    field: f("url"),
    raw: "JavaScript://example.com/%0Aalert(1)",
    value: "JavaScript://example.com/%0Aalert(1)",
    type: "text",
    warns: true,
  }],
  ["url refuses vbscript:", {
    field: f("url"),
    raw: "vbscript://%0Amsgbox(1)",
    value: "vbscript://%0Amsgbox(1)",
    type: "text",
    warns: true,
  }],
  ["url refuses javascript: without //", {
    field: f("url"),
    raw: "javascript:alert(1)",
    value: "javascript:alert(1)",
    type: "text",
    warns: true,
  }],
  ["url refuses a url with a space inside", {
    field: f("url"),
    raw: "https://example.com/a b",
    value: "https://example.com/a b",
    type: "text",
    warns: true,
  }],
  ["url refuses a label followed by a colon", {
    field: f("url"),
    raw: "note:call-bob",
    value: "note:call-bob",
    type: "text",
    warns: true,
  }],
  // enum
  ["enum keeps a listed value", {
    field: STATUS,
    raw: "active",
    value: "active",
    type: "string",
  }],
  ["enum matches a value in another case", {
    field: STATUS,
    raw: " Suspended",
    value: "suspended",
    type: "string",
  }],
  ["enum keeps an off-list value with a warning", {
    field: STATUS,
    raw: "banned",
    value: "banned",
    type: "string",
    warns: true,
  }],
  // string, text, json
  ["string keeps a string", {
    field: f("string"),
    raw: "Joe",
    value: "Joe",
    type: "string",
  }],
  ["string from a number", {
    field: f("string"),
    raw: 42,
    value: "42",
    type: "string",
  }],
  ["text keeps a long string", {
    field: f("text"),
    raw: "a\nb",
    value: "a\nb",
    type: "text",
  }],
  ["string keeps an object as JSON text", {
    field: f("string"),
    raw: { a: 1 },
    value: '{"a":1}',
    type: "text",
    warns: true,
  }],
  ["json from an object", {
    field: f("json"),
    raw: { a: [1, 2] },
    value: '{"a":[1,2]}',
    type: "json",
  }],
  ["json from a string", {
    field: f("json"),
    raw: "hi",
    value: '"hi"',
    type: "json",
  }],
  ["json from a number", {
    field: f("json"),
    raw: 5,
    value: "5",
    type: "json",
  }],
  // lists
  ["list coerces each element", {
    field: list("integer"),
    raw: ["1", 2.7, "3"],
    value: "[1,2,3]",
    type: "json",
  }],
  ["list wraps a scalar", {
    field: list("string"),
    raw: "solo",
    value: '["solo"]',
    type: "json",
  }],
  ["list keeps a bad element as text", {
    field: list("integer"),
    raw: ["1", "x"],
    value: '[1,"x"]',
    type: "json",
    warns: true,
  }],
  ["list of datetimes", {
    field: list("datetime"),
    raw: ["2024", 1700000000],
    value: '["2024-01-01T00:00:00.000Z","2023-11-14T22:13:20.000Z"]',
    type: "json",
  }],
  ["list of enums warns off-list", {
    field: list("enum", { values: ["a", "b"] }),
    raw: ["a", "c"],
    value: '["a","c"]',
    type: "json",
    warns: true,
  }],
  ["list of json keeps structure", {
    field: list("json"),
    raw: [{ a: 1 }, [2]],
    value: '[{"a":1},[2]]',
    type: "json",
  }],
  ["list keeps null elements", {
    field: list("integer"),
    raw: [1, null],
    value: "[1,null]",
    type: "json",
  }],
  // null
  ["null unsets an integer", {
    field: f("integer"),
    raw: null,
    value: null,
    type: "integer",
  }],
  ["undefined unsets a list", {
    field: list("string"),
    raw: undefined,
    value: null,
    type: "json",
  }],
  ["null unsets an enum as a string", {
    field: STATUS,
    raw: null,
    value: null,
    type: "string",
  }],
  // undeclared keys
  ["undeclared string", {
    field: undefined,
    raw: "hello",
    value: "hello",
    type: "string",
  }],
  ["undeclared long string is text", {
    field: undefined,
    raw: "x".repeat(281),
    value: "x".repeat(281),
    type: "text",
  }],
  ["undeclared string of exactly 280 chars stays string", {
    field: undefined,
    raw: "y".repeat(280),
    value: "y".repeat(280),
    type: "string",
  }],
  ["undeclared multi-line string is text", {
    field: undefined,
    raw: "a\nb",
    value: "a\nb",
    type: "text",
  }],
  ["undeclared numeric string stays a string", {
    field: undefined,
    raw: "495",
    value: "495",
    type: "string",
  }],
  ["undeclared integer", {
    field: undefined,
    raw: 7,
    value: 7,
    type: "integer",
  }],
  ["undeclared float", {
    field: undefined,
    raw: 7.5,
    value: 7.5,
    type: "number",
  }],
  ["undeclared boolean", {
    field: undefined,
    raw: false,
    value: false,
    type: "boolean",
  }],
  ["undeclared object is json", {
    field: undefined,
    raw: { x: [1] },
    value: '{"x":[1]}',
    type: "json",
  }],
  ["undeclared array is json", {
    field: undefined,
    raw: [1, "a"],
    value: '[1,"a"]',
    type: "json",
  }],
  ["undeclared null is a json null", {
    field: undefined,
    raw: null,
    value: null,
    type: "json",
  }],
  ["undeclared Date is a datetime", {
    field: undefined,
    raw: new Date(0),
    value: "1970-01-01T00:00:00.000Z",
    type: "datetime",
  }],
  ["undeclared NaN is kept as text", {
    field: undefined,
    raw: NaN,
    value: "NaN",
    type: "text",
    warns: true,
  }],
];

for (const [name, c] of CASES) {
  Deno.test(`coerceValue() ${name}`, () => {
    const out = coerceValue("k", c.raw, c.field);
    assert.deepEqual(
      { value: out.value, type: out.type, warns: out.warning !== undefined },
      { value: c.value, type: c.type, warns: c.warns ?? false },
    );
  });
}

Deno.test("coerceValue() table has at least 45 cases", () => {
  assert.ok(CASES.length >= 45, `only ${CASES.length} cases`);
});

Deno.test("coerceValue() says what could not be coerced, to what, and for which field", () => {
  assert.deepEqual(coerceValue("priority", "abc", f("integer")), {
    value: "abc",
    type: "text",
    warning:
      'Cannot coerce "abc" to integer for field "priority"; kept as text',
  });
});

Deno.test("coerceValue() names the enum values an off-list value missed", () => {
  assert.equal(
    coerceValue("status", "banned", STATUS).warning,
    'Value "banned" is not one of the values of enum field "status" (active, suspended, deleted); kept as given',
  );
});

Deno.test("coerceValue() gives one warning per bad list element, with its index", () => {
  const out = coerceValue("scores", ["x", 1, "y"], list("integer"));
  assert.equal(
    out.warning,
    'Cannot coerce "x" to integer for field "scores[0]"; kept as text; ' +
      'Cannot coerce "y" to integer for field "scores[2]"; kept as text',
  );
});

Deno.test("coerceValue() shortens a long value in a warning", () => {
  const out = coerceValue("n", "z".repeat(500), f("integer"));
  assert.equal(out.value, "z".repeat(500));
  assert.ok(out.warning!.length < 200, out.warning);
});

Deno.test("coerceValue() keeps a cyclic object for a json field as text", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const out = coerceValue("blob", cyclic, f("json"));
  assert.equal(out.type, "text");
  assert.match(out.warning!, /to json for field "blob"/);
});

Deno.test("storageType() stores enums as strings and lists as json", () => {
  assert.equal(storageType(STATUS), "string");
  assert.equal(storageType(list("integer")), "json");
  assert.equal(storageType(f("url")), "url");
});
