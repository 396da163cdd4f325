/**
 * The auth template evaluator: a parsed {@linkcode AuthTemplate} over a
 * credential's fields, to the text sent. A missing field gives null (the
 * header is left out rather than sent half-made). Everything else that
 * goes wrong with the stored value — a split part that is not there, a
 * value too short for the reflection guard to find again, text that is
 * not well-formed — is one {@linkcode TemplateRefused}, whatever the value.
 *
 * @module
 */
import { type AuthTemplate, TemplateRefused } from "./template_value.ts";

/**
 * Shortest credential value a template sends. The reflection guard does
 * not search a response for shorter values (they cannot be told from
 * ordinary text), so a 1–3 character value sent to an echoing server
 * would come back to the skill in clear.
 */
export const MIN_SENT_CHARS = 4;

/** How a template reads its fields. */
interface Reading {
  /** A value without the separator is its own part 0 (jq's split), for the skill's placeholders. */
  unsplitIsWhole: boolean;
}

/**
 * Evaluates a template over a credential's fields.
 *
 * @param template the parsed template
 * @param fields the credential's fields (`{key: "…"}`)
 * @param reading `unsplitIsWhole` for the placeholders a skill sees
 * @returns the text, or null when a field it reads is absent
 * @throws {TemplateRefused} when the stored value cannot be applied
 */
export function evaluate(
  template: AuthTemplate,
  fields: Record<string, string>,
  reading: Reading = { unsplitIsWhole: false },
): string | null {
  const read: string[] = [];
  const output = evaluateNode(template, { fields, read, ...reading });
  if (output === null) return null;
  checkOutput(output, read);
  return output;
}

/**
 * Refuses an output that sends less than a whole credential value: any
 * value it read shorter than {@linkcode MIN_SENT_CHARS}, an output
 * shorter than a value it read (it kept only part of it), or one that is
 * not well-formed text (a lone surrogate: a broken value). The grammar has no form that shortens a value; this
 * holds the rule should the grammar ever grow one.
 *
 * @param output what the template gives
 * @param read each credential value (a field, or a split's part) it read
 * @throws {TemplateRefused} when it sends less than a whole value
 */
export function checkOutput(output: string, read: string[]): void {
  for (const value of read) {
    if (value.length < MIN_SENT_CHARS || output.length < value.length) {
      throw new TemplateRefused();
    }
  }
  if (!output.isWellFormed()) throw new TemplateRefused();
}

/** The fields, the values read so far, and how to read them. */
interface Scope extends Reading {
  fields: Record<string, string>;
  read: string[];
}

function evaluateNode(node: AuthTemplate, scope: Scope): string | null {
  switch (node.kind) {
    case "text":
      return node.value;
    case "field":
      return readValue(scope, node.name);
    case "part":
      return readPart(scope, node);
    case "concat": {
      const parts = node.parts.map((p) => evaluateNode(p, scope));
      // A missing field leaves the header out rather than sending "Bearer ".
      return parts.includes(null) ? null : parts.join("");
    }
    case "encode": {
      const inner = evaluateNode(node.inner, scope);
      if (inner === null) return null;
      if (!inner.isWellFormed()) throw new TemplateRefused();
      return node.encoding === "@uri"
        ? encodeURIComponent(inner)
        : base64(inner);
    }
  }
}

function readValue(scope: Scope, name: string): string | null {
  if (!Object.hasOwn(scope.fields, name)) return null;
  const value = scope.fields[name];
  if (typeof value !== "string") throw new TemplateRefused();
  scope.read.push(value);
  return value;
}

function readPart(
  scope: Scope,
  node: { name: string; separator: string; index: number },
): string | null {
  if (!Object.hasOwn(scope.fields, node.name)) return null;
  const value = scope.fields[node.name];
  if (typeof value !== "string") throw new TemplateRefused();
  const parts = value.split(node.separator);
  if (parts.length < 2 && scope.unsplitIsWhole) {
    return node.index === 0 ? value : null;
  }
  // A key without the separator fails like any other: the same message.
  if (parts.length < 2 || node.index >= parts.length) {
    throw new TemplateRefused();
  }
  const part = parts[node.index]!;
  scope.read.push(part);
  return part;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
}
