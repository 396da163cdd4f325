import assert from "node:assert/strict";
import {
  formatFieldType,
  isScalarType,
  parseFieldType,
  SCALAR_TYPES,
  STANDARD_FIELDS,
} from "./field_type.ts";

Deno.test("parseFieldType() reads every scalar type and its list form", () => {
  for (const type of SCALAR_TYPES) {
    assert.deepEqual(parseFieldType(type), { type, list: false });
    assert.deepEqual(parseFieldType(`${type}[]`), { type, list: true });
  }
});

Deno.test("parseFieldType() refuses unknown and malformed types", () => {
  for (
    const name of ["strin", "String", "int", "string[][]", "[]", "", " string"]
  ) {
    assert.equal(parseFieldType(name), undefined, name);
  }
});

Deno.test("isScalarType() accepts only the scalar type names", () => {
  assert.ok(isScalarType("datetime"));
  assert.ok(!isScalarType("date"));
});

Deno.test("formatFieldType() writes a list with []", () => {
  assert.equal(formatFieldType({ type: "enum", list: true }), "enum[]");
  assert.equal(formatFieldType({ type: "url", list: false }), "url");
});

Deno.test("STANDARD_FIELDS holds the eight standard fields, the source's id first", () => {
  assert.deepEqual(
    Object.entries(STANDARD_FIELDS).map(([k, v]) => `${k}:${v.type}`),
    [
      "id:string",
      "name:string",
      "text:text",
      "url:url",
      "image:url",
      "author:string",
      "published:datetime",
      "content:text",
    ],
  );
});
