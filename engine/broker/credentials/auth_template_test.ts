import assert from "node:assert/strict";
import {
  MAX_TEMPLATE_CHARS,
  parseTemplate,
  REFUSED_MESSAGE,
  renderTemplate,
  TemplateError,
  TemplateRefused,
} from "./auth_template.ts";
import { checkOutput } from "./template_eval.ts";

const render = (source: string, fields: Record<string, string>) =>
  renderTemplate(parseTemplate(source), fields);

/**
 * Every form the published catalog (agentos-to/skills) writes in its
 * connections' auth templates, in our own fixtures: a bare field, a
 * literal prefix, and the two whole parts of a key split on ":".
 */
const CATALOG_FORMS: [string, Record<string, string>, string][] = [
  [".auth.key", { key: "plain-key-4411" }, "plain-key-4411"],
  ['"Bearer " + .auth.key', { key: "tok-9a8b7c" }, "Bearer tok-9a8b7c"],
  ['.auth.key | split(":") | .[0]', { key: "pubA1:secB2" }, "pubA1"],
  ['.auth.key | split(":") | .[1]', { key: "pubA1:secB2" }, "secB2"],
  ['"Token " + .auth.idToken', { idToken: "eyJ.x.y" }, "Token eyJ.x.y"],
];

Deno.test("renderTemplate() gives every form the published catalog writes", () => {
  for (const [source, fields, expected] of CATALOG_FORMS) {
    assert.equal(render(source, fields), expected, source);
  }
});

Deno.test("renderTemplate() gives the other whole-value forms: concatenations of whole fields, encodings of them", () => {
  const f = { key: "Kkkk", user: "meme", token: "Tok1" };
  assert.equal(
    render('.auth.user + ":" + .auth.key | @base64', f),
    btoa("meme:Kkkk"),
  );
  assert.equal(
    render('"Basic " + (.auth.user + ":" + .auth.key | @base64)', f),
    `Basic ${btoa("meme:Kkkk")}`,
  );
  assert.equal(render('.auth.key | split(":")[0]', { key: "aaaa:b" }), "aaaa");
  assert.equal(render('.auth["key"]', f), "Kkkk");
  assert.equal(render(".auth.token | @uri", { token: "a b&c" }), "a%20b%26c");
  assert.equal(
    render(".auth.key | @base64 | @uri", { key: "????>>>" }),
    encodeURIComponent(btoa("????>>>")),
  );
  assert.equal(render('"x-" + .auth.key + "-y"', f), "x-Kkkk-y");
});

Deno.test("renderTemplate() leaves the entry out when a field it reads is absent", () => {
  const f = { key: "Kkkk" };
  assert.equal(render(".auth.missing", f), undefined);
  assert.equal(render('"Bearer " + .auth.missing', f), undefined);
  assert.equal(render('.auth.missing | split(":") | .[0]', f), undefined);
});

Deno.test("parseTemplate() refuses every form that can isolate part of a value, and anything outside the grammar", () => {
  for (
    const bad of [
      "",
      "   ",
      "env.HOME",
      "$__loc__",
      ".auth.key; 1",
      '"unterminated',
      ".auth.key | input",
      '.auth.key | split(":"',
      "(.auth.key",
      ".auth.key ]",
      "a".repeat(MAX_TEMPLATE_CHARS + 1),
      '.auth.key | system("ls")',
      // What the oracle needs: a character, a slice, a case, an alternative.
      '.auth.key | split("") | .[3]',
      '.auth.key | split("") | join("-")',
      '.auth.key | split("a") | .[0]',
      '.auth.key | split(":")',
      '.auth.key | split(":") | .[4]',
      '.auth.key | split(":") | .[-1]',
      '("x" + .auth.key) | split(":") | .[0]',
      ".auth.key | .[0]",
      ".auth.key[0]",
      '.auth.key | ltrimstr("a")',
      '.auth.key | rtrimstr("a")',
      ".auth.key | ascii_downcase",
      ".auth.key | ascii_upcase",
      ".auth.key | tostring",
      ".auth.missing // .auth.key",
      ".auth",
      ".",
      ".auth.key.x",
      ".auth.key + 1",
      "1",
      ".auth.key | @base64 | @uri | @base64",
      '(.auth.key | split("") | .[0] | ltrimstr("Q")) // .[0]',
    ]
  ) {
    assert.throws(() => parseTemplate(bad), TemplateError, bad);
  }
});

Deno.test("parseTemplate() refuses a huge template before reading it", () => {
  const huge = '"Bearer " + .auth.key' + " ".repeat(1_000_000);
  assert.throws(() => parseTemplate(huge), /longer than 500 characters/);
});

Deno.test("renderTemplate() refuses a value it cannot send whole, with one message whatever the value", () => {
  const failing: [string, Record<string, string>][] = [
    [".auth.key", { key: "" }],
    [".auth.key", { key: "a" }],
    [".auth.key", { key: "abc" }],
    ['"Bearer " + .auth.key', { key: "xyz" }],
    [".auth.key | @base64", { key: "ab" }],
    ['.auth.key | split(":") | .[0]', { key: "no-separator-here" }],
    ['.auth.key | split(":") | .[2]', { key: "aaaa:bbbb" }],
    ['.auth.key | split(":") | .[0]', { key: "abc:defghijk" }],
    ['.auth.key | split(":") | .[1]', { key: "abcdefgh:" }],
    [".auth.key", { key: "lone \ud800 surrogate" }],
    [".auth.key | @uri", { key: "lone \udc00 surrogate" }],
  ];
  for (const [source, fields] of failing) {
    assert.throws(
      () => render(source, fields),
      (error) =>
        error instanceof TemplateRefused && error.message === REFUSED_MESSAGE &&
        error.name === "TemplateRefused",
      `${source} over ${JSON.stringify(fields)}`,
    );
  }
  assert.doesNotMatch(REFUSED_MESSAGE, /connection "/i);
});

Deno.test("checkOutput() refuses an output shorter than a value it read (the rule should the grammar ever shorten one)", () => {
  assert.doesNotThrow(() => checkOutput("Bearer abcd", ["abcd"]));
  assert.throws(() => checkOutput("abc", ["abcd"]), TemplateRefused);
  assert.throws(
    () => checkOutput("abcdefgh", ["abcd", "abc"]),
    TemplateRefused,
  );
  assert.throws(() => checkOutput("\ud800abcd", ["abcd"]), TemplateRefused);
});
