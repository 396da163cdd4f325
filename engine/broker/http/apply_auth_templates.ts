import { ErrorCode, RpcError } from "../../errors.ts";
import { isObject } from "../../is_object.ts";
import {
  type AuthTemplate,
  type ConnectionCredential,
  parseTemplate,
  REFUSED_MESSAGE,
  renderShown,
  renderTemplate,
  TemplateError,
} from "../credentials/mod.ts";
import { inDomain } from "../../grants/mod.ts";

/** One request on its way out, after placeholders became values. */
export interface TemplatedRequest {
  method: string;
  /** The URL the skill named, query included. */
  url: URL;
  headers: Headers;
  /** The dispatch params with values in (`json`, `data` may change). */
  sent: Record<string, unknown>;
  /** The dispatch params as the skill sent them (placeholders in). */
  original: Record<string, unknown>;
}

type Part = "header" | "query" | "body";
const PARTS: Part[] = ["header", "query", "body"];

/** One template entry of a connection that reaches the request, parsed. */
interface Entry {
  binding: ConnectionCredential;
  part: Part;
  name: string;
  template: AuthTemplate;
}

/**
 * Applies the auth templates of the connection a request goes to: each
 * `header`, `query` and `body` entry of its `auth` is evaluated over the
 * real credential and set on the request. The skill's own value of the
 * same name is kept only when it carries this credential's placeholder in
 * another form than the template gives (its own formatting of the same
 * key); otherwise the template's value replaces it.
 *
 * Every template is parsed before any is evaluated, so which error a
 * request meets never depends on a stored value; a template that cannot
 * be applied to its value fails with one message naming no connection.
 *
 * @param request the request (changed in place)
 * @param bindings the call's connection credentials
 * @param sent receives each value a template set (to check what it carries)
 * @returns the connections whose templates were applied
 * @throws {RpcError} InvalidParams for a template outside the grammar
 *   (naming its connection), or {@linkcode REFUSED_MESSAGE} for one that
 *   cannot be applied to the stored value
 */
export function applyAuthTemplates(
  request: TemplatedRequest,
  bindings: ConnectionCredential[],
  sent: string[] = [],
): string[] {
  const applied = new Set<string>();
  for (const { binding, part, name, template } of entries(request, bindings)) {
    const real = render(template, binding.fields);
    if (real === undefined) continue;
    const shown = renderShown(template, binding.view);
    const mine = callerValue(request.original, part, name);
    if (
      mine !== undefined && mine !== shown &&
      carriesPlaceholder(mine, binding)
    ) continue;
    try {
      setValue(request, part, name, real);
      sent.push(real);
    } catch {
      // A header refuses a value with a newline or past U+00FF: say so
      // without saying which value, or which connection.
      throw refused();
    }
    applied.add(binding.connection.name);
  }
  return [...applied];
}

/** The parsed template entries of the connections that reach the request. */
function entries(
  request: TemplatedRequest,
  bindings: ConnectionCredential[],
): Entry[] {
  const out: Entry[] = [];
  for (const binding of bindings) {
    const auth = binding.connection.auth;
    if (!isObject(auth) || !reaches(binding, request.url)) continue;
    for (const part of PARTS) {
      const sources = auth[part];
      if (!isObject(sources)) continue;
      for (const [name, source] of Object.entries(sources)) {
        if (typeof source !== "string") continue;
        out.push({ binding, part, name, template: parse(binding, source) });
      }
    }
  }
  return out;
}

/** Requests to the connection's own origin (or, without a base_url, its domain). */
function reaches(binding: ConnectionCredential, url: URL): boolean {
  const base = binding.connection.base_url;
  if (typeof base === "string" && base !== "") {
    try {
      return new URL(base).origin === url.origin;
    } catch {
      return false;
    }
  }
  const auth = binding.connection.auth;
  const declared = binding.connection.domain ??
    (isObject(auth) && typeof auth.domain === "string" ? auth.domain : null);
  if (!declared) return false;
  const domain = declared.toLowerCase().replace(/^\*?\./, "");
  return inDomain(url.hostname.toLowerCase(), domain);
}

function parse(binding: ConnectionCredential, source: string): AuthTemplate {
  try {
    return parseTemplate(source);
  } catch (error) {
    // Decided by the template alone (the skill's own text): it may say why.
    const reason = error instanceof TemplateError
      ? error.message
      : String(error);
    throw new RpcError(
      ErrorCode.InvalidParams,
      `Connection "${binding.connection.name}" has an auth template the engine cannot apply: ${reason}`,
      { check: "auth_template" },
    );
  }
}

function render(
  template: AuthTemplate,
  fields: Record<string, string>,
): string | undefined {
  try {
    return renderTemplate(template, fields);
  } catch {
    throw refused();
  }
}

/** The one error of a template its stored value does not fit. */
function refused(): RpcError {
  return new RpcError(ErrorCode.InvalidParams, REFUSED_MESSAGE, {
    check: "auth_template",
  });
}

function carriesPlaceholder(
  text: string,
  binding: ConnectionCredential,
): boolean {
  return Object.entries(binding.view).some(([name, shown]) =>
    shown !== binding.fields[name] && shown !== "" && text.includes(shown)
  );
}

function callerValue(
  original: Record<string, unknown>,
  part: Part,
  name: string,
): string | undefined {
  if (part === "header") {
    if (!isObject(original.headers)) return undefined;
    const lower = name.toLowerCase();
    for (const [key, value] of Object.entries(original.headers)) {
      if (key.toLowerCase() === lower && value !== null) return String(value);
    }
    return undefined;
  }
  if (part === "query") {
    if (isObject(original.params) && original.params[name] !== undefined) {
      return String(original.params[name]);
    }
    try {
      return new URL(String(original.url)).searchParams.get(name) ?? undefined;
    } catch {
      return undefined;
    }
  }
  const body = isObject(original.json)
    ? original.json
    : isObject(original.data)
    ? original.data
    : undefined;
  const value = body?.[name];
  return value === undefined || value === null ? undefined : String(value);
}

function setValue(
  request: TemplatedRequest,
  part: Part,
  name: string,
  value: string,
): void {
  if (part === "header") {
    request.headers.set(name, value);
    return;
  }
  if (part === "query") {
    request.url.searchParams.set(name, value);
    return;
  }
  const { sent } = request;
  if (request.method === "GET" || request.method === "HEAD") return;
  if (isObject(sent.json)) sent.json = { ...sent.json, [name]: value };
  else if (isObject(sent.data)) sent.data = { ...sent.data, [name]: value };
  else if (sent.json === undefined || sent.json === null) {
    if (typeof sent.data !== "string") sent.json = { [name]: value };
  }
}
