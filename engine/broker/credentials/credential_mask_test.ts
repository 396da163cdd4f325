/**
 * The reflection guard's decoding, seen through CallCredentials.mask():
 * a value written entirely as `\xNN` escapes, or with every punctuation
 * character a named HTML entity, is found and replaced. The value is
 * chosen so that no undecoded run of it is long enough to count as an echo.
 */
import assert from "node:assert/strict";
import { CallCredentials } from "./mod.ts";

const VALUE = 'k3/v4&x9=q7+z2-w8"m5!t6';

function masked(): { credentials: CallCredentials; placeholder: string } {
  const credentials = new CallCredentials(true);
  const placeholder = credentials.add({
    domain: "example.com",
    value: VALUE,
    scope: { domain: "example.com" },
  }) as string;
  return { credentials, placeholder };
}

Deno.test("CallCredentials.mask() finds a value written as \\xNN escapes", () => {
  const { credentials, placeholder } = masked();
  const escaped = [...VALUE].map((c) =>
    `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
  ).join("");
  assert.equal(
    credentials.mask(`print("${escaped}")`),
    `print("${placeholder}")`,
  );
});

Deno.test("CallCredentials.mask() finds a value whose punctuation is written as named HTML entities", () => {
  const { credentials, placeholder } = masked();
  const named: Record<string, string> = {
    "/": "&sol;",
    "&": "&amp;",
    "=": "&equals;",
    "+": "&plus;",
    "-": "&hyphen;",
    '"': "&quot;",
    "!": "&excl;",
  };
  const html = [...VALUE].map((c) => named[c] ?? c).join("");
  assert.ok(!html.includes("&#"), html);
  assert.equal(
    credentials.mask(`<p title="${html}">hi</p>`),
    `<p title="${placeholder}">hi</p>`,
  );
});
