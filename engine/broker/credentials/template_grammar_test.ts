/**
 * The auth-template grammar, form by form: what each accepted source
 * renders, and the message each refused one gets (the message says which
 * rule it broke, so a skill's author can fix it).
 */
import assert from "node:assert/strict";
import {
  parseTemplate,
  renderTemplate,
  TemplateError,
} from "./auth_template.ts";

const FIELDS = { key: "pubA1:secB2:third:fourth:fifth", a: "AAAA" };
const FORMS =
  `a template keeps each credential field whole: .auth.F, "text" + .auth.F, .auth.F | split(":") | .[N], and @base64 or @uri of those`;

Deno.test("parseTemplate() accepts each form of the grammar and renders it", () => {
  const accepted: [string, string][] = [
    ['.auth["key"]', FIELDS.key],
    ['.auth["key"] + "x"', `${FIELDS.key}x`],
    ['"x" + .auth["key"] + "y"', `x${FIELDS.key}y`],
    ['.auth.key | split(":")[1]', "secB2"],
    ['.auth.key | split(":") | .[0]', "pubA1"],
    ['.auth.key | split(":") | .[3]', "fourth"],
    [".auth.key | @base64 | @uri", btoa(FIELDS.key)],
    ['(.auth.key + ":" + .auth.a) | @base64', btoa(`${FIELDS.key}:AAAA`)],
  ];
  for (const [source, output] of accepted) {
    assert.equal(renderTemplate(parseTemplate(source), FIELDS), output, source);
  }
});

Deno.test("parseTemplate() refuses what is outside the grammar, naming the rule", () => {
  const refused: [string, string][] = [
    [
      '.auth["key"',
      `.auth must be followed by a field name (.auth.key); ${FORMS}`,
    ],
    [
      ".auth[1]",
      `.auth must be followed by a field name (.auth.key); ${FORMS}`,
    ],
    [".auth.", `.auth must be followed by a field name (.auth.key); ${FORMS}`],
    [".auth", `.auth must be followed by a field name (.auth.key); ${FORMS}`],
    ['.auth.key | split(":") | [0]', "split() must keep one part: add | .[N]"],
    ['.auth.key | split(":") | .x', "split() must keep one part: add | .[N]"],
    ['.auth.key | split(":") .[0]', "split() must keep one part: add | .[N]"],
    ['.auth.key | split(":")', "split() must keep one part: add | .[N]"],
    ['.auth.key | split(":") | .[4]', "a split keeps part 0 to 3"],
    ['.auth.key | split(":") | .[-1]', "a split keeps part 0 to 3"],
    ['.auth.key | split(":") | .["0"]', "a split keeps part 0 to 3"],
    ['.auth.key | split(":") | .[0', `expected "]"`],
    [
      '.auth.key | split(",") | .[0]',
      `split() takes one of ":" as its separator`,
    ],
    [
      ".auth.key | @base64 | @uri | @base64",
      "more than 2 encodings over one value",
    ],
    [".auth.a |", `ends too early; ${FORMS}`],
    ['"a" +', `ends too early; ${FORMS}`],
    [".auth.a | 1", `unexpected "1"; ${FORMS}`],
    ["+ .auth.a", `unexpected "+"; ${FORMS}`],
    [".auth.a .auth.a", `unexpected ".auth"; ${FORMS}`],
    [".auth.a)", `unexpected ")"; ${FORMS}`],
    ["(.auth.a", `expected ")"`],
    ['split(":")', `unexpected "split"; ${FORMS}`],
    [". .auth.a", `unexpected "."; ${FORMS}`],
    [".x", `unexpected ".x"; ${FORMS}`],
    // A minus sign with no digit after it is no number.
    ['.auth.key | split(":") | .[-]', `unexpected "-"`],
    ["-", `unexpected "-"`],
    [".auth.a + -", `unexpected "-"`],
    [
      '(.auth.key | @base64 | @uri) + "x" | @base64',
      "more than 2 encodings over one value",
    ],
  ];
  for (const [source, message] of refused) {
    assert.throws(() => parseTemplate(source), (error: unknown) => {
      assert.ok(error instanceof TemplateError, source);
      assert.equal(error.name, "TemplateError");
      assert.equal(
        error.message,
        `Auth template ${JSON.stringify(source)}: ${message}`,
      );
      return true;
    });
  }
});
