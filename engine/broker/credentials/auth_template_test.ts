import assert from "node:assert/strict";
import {
  parseTemplate,
  renderTemplate,
  TemplateError,
} from "./auth_template.ts";

const render = (source: string, fields: Record<string, string>) =>
  renderTemplate(parseTemplate(source), fields);

Deno.test("renderTemplate() gives every form the published catalog uses", () => {
  const key = { key: "pk1_abc:sk1_def" };
  assert.equal(render(".auth.key", key), "pk1_abc:sk1_def");
  assert.equal(render('"Bearer " + .auth.key', key), "Bearer pk1_abc:sk1_def");
  assert.equal(render('.auth.key | split(":") | .[0]', key), "pk1_abc");
  assert.equal(render('.auth.key | split(":") | .[1]', key), "sk1_def");
});

Deno.test("renderTemplate() knows the jq basics around them", () => {
  const f = { key: "K", user: "me", token: "Tok" };
  assert.equal(render('.auth.user + ":" + .auth.key | @base64', f), "bWU6Sw==");
  assert.equal(
    render('"Basic " + (.auth.user + ":" + .auth.key | @base64)', f),
    "Basic bWU6Sw==",
  );
  assert.equal(render('.auth.key | split(":")[0]', { key: "a:b" }), "a");
  assert.equal(render('.auth.key | split(":") | .[-1]', { key: "a:b" }), "b");
  assert.equal(render(".auth.missing // .auth.token", f), "Tok");
  assert.equal(render('.auth["key"]', f), "K");
  assert.equal(render(".auth.token | ascii_downcase", f), "tok");
  assert.equal(render(".auth.token | ascii_upcase", f), "TOK");
  assert.equal(render('"tok_x" | ltrimstr("tok_")', f), "x");
  assert.equal(
    render('.auth.key | split("") | join("-")', { key: "ab" }),
    "a-b",
  );
  assert.equal(render('"a b&c" | @uri', f), "a%20b%26c");
  assert.equal(render(".auth.missing", f), undefined);
  assert.equal(render('"Bearer " + .auth.missing', f), undefined);
  assert.equal(
    render('.auth.key | split(":") | .[5]', { key: "a" }),
    undefined,
  );
});

Deno.test("parseTemplate() refuses anything outside its grammar", () => {
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
      "a".repeat(600),
      '.auth.key | system("ls")',
    ]
  ) {
    assert.throws(() => parseTemplate(bad), TemplateError, bad);
  }
});

Deno.test("renderTemplate() refuses a value that is not text", () => {
  assert.throws(
    () => render('.auth.key | split(":")', { key: "a:b" }),
    TemplateError,
  );
  assert.throws(() => render(".auth", { key: "a" }), TemplateError);
  assert.throws(() => render(".auth.key + 1", { key: "a" }), TemplateError);
});
