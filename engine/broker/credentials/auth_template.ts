/**
 * A connection's auth template: the small jq-like expression a published
 * skill writes in `connection(..., auth={"header": {"Authorization":
 * '"Bearer " + .auth.key'}})`, parsed and evaluated by the engine over the
 * credential's fields. A hand-written parser over a closed grammar of
 * whole-value forms: no `eval`, no loops, no input but the credential, no
 * way to pick a character of it, bounded length.
 *
 * This is the front of the template: its limits, {@linkcode parseTemplate}
 * and {@linkcode renderTemplate}. The grammar and its rules are in
 * `template_parser.ts`, the tokens in `template_tokens.ts`, the
 * evaluation in `template_eval.ts`.
 *
 * @module
 */
import { tokenize } from "./template_tokens.ts";
import { parseTokens } from "./template_parser.ts";
import { evaluate } from "./template_eval.ts";
import { type AuthTemplate, TemplateError } from "./template_value.ts";

export {
  type AuthTemplate,
  REFUSED_MESSAGE,
  TemplateError,
  TemplateRefused,
} from "./template_value.ts";
export { MIN_SENT_CHARS } from "./template_eval.ts";

/** Longest template accepted. */
export const MAX_TEMPLATE_CHARS = 500;

/**
 * Parses a template.
 *
 * @param source e.g. `.auth.key | split(":") | .[0]`
 * @returns the template's tree
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
 * @returns the text, or undefined when a field it reads is absent
 * @throws {TemplateRefused} when the stored value cannot be applied (one
 *   message, whatever the value)
 */
export function renderTemplate(
  template: AuthTemplate,
  fields: Record<string, string>,
): string | undefined {
  return evaluate(template, fields) ?? undefined;
}

/**
 * What a template gives over the placeholders a masked skill sees: a
 * placeholder has no separator, so a split keeps it whole as part 0 (the
 * way the skill's own split of it reads).
 *
 * @param template the parsed template
 * @param view the skill's view of the credential's fields
 * @returns the text, or undefined when it gives none
 */
export function renderShown(
  template: AuthTemplate,
  view: Record<string, string>,
): string | undefined {
  try {
    return evaluate(template, view, { unsplitIsWhole: true }) ?? undefined;
  } catch {
    return undefined;
  }
}
