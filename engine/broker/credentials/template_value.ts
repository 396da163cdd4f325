/**
 * What an auth template is once parsed — a small tree of whole-value
 * forms — and the two ways it fails: {@linkcode TemplateError} for a
 * template outside the grammar (decided by the template alone, so its
 * message may say why), {@linkcode TemplateRefused} for one that cannot
 * be applied to the stored value (one message, whatever the value, so a
 * failure tells a skill nothing about the key). Shared by the tokenizer,
 * the parser and the evaluator.
 *
 * @module
 */

/** How a value is encoded: jq's `@base64` and `@uri`. */
export type Encoding = "@base64" | "@uri";

/**
 * A parsed template. Every form keeps each credential value whole: a
 * field, or one whole part of a field split on a separator the engine
 * declares; literals and concatenations around them; encodings of those.
 */
export type AuthTemplate =
  | { kind: "text"; value: string }
  | { kind: "field"; name: string }
  | { kind: "part"; name: string; separator: string; index: number }
  | { kind: "concat"; parts: AuthTemplate[] }
  | { kind: "encode"; encoding: Encoding; inner: AuthTemplate };

/** A template outside the grammar; the message names why. */
export class TemplateError extends SyntaxError {
  /** @param message what is wrong, quoting the template */
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

/**
 * The one message of a template that cannot be applied to the stored
 * value. It names no connection and no reason: which connection failed,
 * or why, would depend on the value.
 */
export const REFUSED_MESSAGE =
  "An auth template of this skill cannot be applied to the stored credential, so the request was not sent: the stored value does not have the form its connection expects (see agentos secrets list and agentos skills validate)";

/** A template that cannot be applied to the stored value: always {@linkcode REFUSED_MESSAGE}. */
export class TemplateRefused extends Error {
  constructor() {
    super(REFUSED_MESSAGE);
    this.name = "TemplateRefused";
  }
}

/**
 * The error for a template, quoting its start.
 *
 * @param source the template
 * @param what what is wrong
 * @returns the error to throw
 */
export function templateFail(source: string, what: string): TemplateError {
  return new TemplateError(
    `Auth template ${JSON.stringify(source.slice(0, 100))}: ${what}`,
  );
}
