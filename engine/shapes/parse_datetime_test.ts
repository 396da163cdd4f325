import assert from "node:assert/strict";
import { parseDatetime } from "./parse_datetime.ts";

function iso(raw: unknown): string | undefined {
  const ms = parseDatetime(raw);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

const PARSED: [unknown, string][] = [
  ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000Z"],
  ["2024-01-02t03:04:05z", "2024-01-02T03:04:05.000Z"],
  ["2024-01-02 03:04:05", "2024-01-02T03:04:05.000Z"],
  ["2024-01-02T03:04", "2024-01-02T03:04:00.000Z"],
  ["2024-01-02T03:04:05-0130", "2024-01-02T04:34:05.000Z"],
  ["2024-01-02T03:04:05+05", "2024-01-01T22:04:05.000Z"],
  ["2025-07-01 10:00:00.123456+00:00", "2025-07-01T10:00:00.123Z"],
  ["2024-12-31T24:00:00Z", "2025-01-01T00:00:00.000Z"],
  ["2024/03/05", "2024-03-05T00:00:00.000Z"],
  ["2024-02-29", "2024-02-29T00:00:00.000Z"],
  ["20240305T101500Z", "2024-03-05T10:15:00.000Z"],
  ["Tue, 01 Jul 2025 10:00:00 +0000", "2025-07-01T10:00:00.000Z"],
  ["01 Jul 2025 10:00:00 GMT", "2025-07-01T10:00:00.000Z"],
  ["Tue, 1 Jul 25 10:00 -0700", "2025-07-01T17:00:00.000Z"],
  ["Mon, 5 Jan 98 08:00:00 EST", "1998-01-05T13:00:00.000Z"],
  ["5 March 2024", "2024-03-05T00:00:00.000Z"],
  ["March 5, 2024", "2024-03-05T00:00:00.000Z"],
  ["Sept. 3rd, 2023 at 9:15 pm", "2023-09-03T21:15:00.000Z"],
  ["Mar 5 2024 12:30 AM UTC", "2024-03-05T00:30:00.000Z"],
  ["March 2024", "2024-03-01T00:00:00.000Z"],
  ["1999", "1999-01-01T00:00:00.000Z"],
  [1999, "1999-01-01T00:00:00.000Z"],
  [0, "1970-01-01T00:00:00.000Z"],
  [1.5, "1970-01-01T00:00:01.500Z"],
  [99999999999, "5138-11-16T09:46:39.000Z"],
  [100000000000, "1973-03-03T09:46:40.000Z"],
  [-86400, "1969-12-31T00:00:00.000Z"],
  ["1.7e9", "2023-11-14T22:13:20.000Z"],
];

for (const [raw, expected] of PARSED) {
  Deno.test(`parseDatetime() reads ${JSON.stringify(raw)}`, () => {
    assert.equal(iso(raw), expected);
  });
}

const REFUSED: unknown[] = [
  "",
  "now",
  "03/05/2024",
  "2024-13-01",
  "2024-04-31",
  "2023-02-29",
  "2024-01-02T25:00:00Z",
  "2024-01-02T10:60:00Z",
  "2024-01-02T10:00:00+25:00",
  "13:00 PM March 5, 2024",
  "Foo, 1 Jul 2025",
  "hello 1",
  1e16,
  NaN,
  new Date(NaN),
  true,
  {},
];

for (const raw of REFUSED) {
  Deno.test(`parseDatetime() refuses ${String(JSON.stringify(raw) ?? raw)}`, () => {
    assert.equal(parseDatetime(raw), undefined);
  });
}

Deno.test("parseDatetime() treats times without an offset as UTC", () => {
  assert.equal(iso("2024-06-01T12:00:00"), "2024-06-01T12:00:00.000Z");
});
