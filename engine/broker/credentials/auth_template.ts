/**
 * A connection's auth template: the small jq-like expression a published
 * skill writes in `connection(..., auth={"header": {"Authorization":
 * '"Bearer " + .auth.key'}})`, parsed and evaluated by the engine over the
 * credential's fields. A hand-written parser over a closed grammar: no
 * `eval`, no loops, no input but the credential, bounded length.
 *
 * This is the front of the template: its limits, {@linkcode parseTemplate}
 * and {@linkcode renderTemplate}. The grammar and its rules are in
 * `template_parser.ts`, the tokens in `template_tokens.ts`, what each
 * operation does in `template_eval.ts`.
 *
 * @module
 */
import { tokenize } from "./template_tokens.ts";
import { parseTokens } from "./template_parser.ts";
import { type AuthTemplate, TemplateError } from "./template_value.ts";

export {
  type AuthTemplate,
  TemplateError,
  type TemplateValue,
} from "./template_value.ts";

/** Longest template accepted. */
const MAX_TEMPLATE_CHARS = 500;

/**
 * Parses a template.
 *
 * @param source e.g. `.auth.key | split(":") | .[0]`
 * @returns the evaluator
 * @throws {TemplateError} for anything outside the grammar
 */
export function parseTemplate(source: string): AuthTemplate {
  if (typeof source !== "string" || source.trim() === "") {
    throw new TemplateError("Auth template is empty");
  }
  if (source.length > MAX_TEMPLATE_CHARS) {
    throw new TemplateError(
      `Auth template is longer than ${MAX_TEMPLATE_CHARS} characters`,
    );
  }
  return parseTokens(source, tokenize(source));
}

/**
 * Evaluates a template over a credential's fields to the text sent.
 *
 * @param template the parsed template
 * @param fields the credential's fields (`{key: "…"}`)
 * @returns the text, or undefined when the expression gives null
 * @throws {TemplateError} when it gives something other than a string or number
 */
export function renderTemplate(
  template: AuthTemplate,
  fields: Record<string, string>,
): string | undefined {
  const value = template({ auth: { ...fields } });
  if (value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw new TemplateError(
    `Auth template gives ${
      Array.isArray(value) ? "a list" : "an object"
    }, not text`,
  );
}
