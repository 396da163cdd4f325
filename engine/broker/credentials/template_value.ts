/**
 * What an auth template is once parsed — a function from the credential's
 * fields to a value — and how a template fails. Shared by the tokenizer,
 * the parser and the evaluator.
 *
 * @module
 */

/** A value an expression produces. */
export type TemplateValue =
  | string
  | number
  | null
  | TemplateValue[]
  | { [key: string]: TemplateValue };

/** A parsed expression: evaluate it over `{auth: fields}`. */
export type AuthTemplate = (input: TemplateValue) => TemplateValue;

/** A template that does not parse or evaluate; the message names why. */
export class TemplateError extends SyntaxError {
  /** @param message what is wrong, quoting the template */
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
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
