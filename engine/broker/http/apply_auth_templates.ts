import { ErrorCode, RpcError } from "../../errors.ts";
import { isObject } from "../../is_object.ts";
import {
  type AuthTemplate,
  type ConnectionCredential,
  parseTemplate,
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

/**
 * Applies the auth templates of the connection a request goes to: each
 * `header`, `query` and `body` entry of its `auth` is evaluated over the
 * real credential and set on the request. The skill's own value of the
 * same name is kept only when it carries this credential's placeholder in
 * another form than the template gives (its own formatting of the same
 * key); otherwise the template's value replaces it.
 *
 * @param request the request (changed in place)
 * @param bindings the call's connection credentials
 * @returns the connections whose templates were applied
 * @throws {RpcError} InvalidParams for a template that does not parse or evaluate
 */
export function applyAuthTemplates(
  request: TemplatedRequest,
  bindings: ConnectionCredential[],
): string[] {
  const applied: string[] = [];
  for (const binding of bindings) {
    const auth = binding.connection.auth;
    if (!isObject(auth) || !reaches(binding, request.url)) continue;
    let used = false;
    for (const part of PARTS) {
      const entries = auth[part];
      if (!isObject(entries)) continue;
      for (const [name, source] of Object.entries(entries)) {
        if (typeof source !== "string") continue;
        const template = parse(binding, source);
        const real = render(binding, template, binding.fields);
        if (real === undefined) continue;
        const shown = safeRender(template, binding.view);
        const mine = callerValue(request.original, part, name);
        if (
          mine !== undefined && mine !== shown &&
          carriesPlaceholder(mine, binding)
        ) continue;
        setValue(request, part, name, real);
        used = true;
      }
    }
    if (used) applied.push(binding.connection.name);
  }
  return applied;
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
    throw templateError(binding, error);
  }
}

function render(
  binding: ConnectionCredential,
  template: AuthTemplate,
  fields: Record<string, string>,
): string | undefined {
  try {
    return renderTemplate(template, fields);
  } catch (error) {
    throw templateError(binding, error);
  }
}

function safeRender(
  template: AuthTemplate,
  fields: Record<string, string>,
): string | undefined {
  try {
    return renderTemplate(template, fields);
  } catch {
    return undefined;
  }
}

function templateError(
  binding: ConnectionCredential,
  error: unknown,
): RpcError {
  const reason = error instanceof TemplateError ? error.message : String(error);
  return new RpcError(
    ErrorCode.InvalidParams,
    `Connection "${binding.connection.name}" has an auth template the engine cannot apply: ${reason}`,
    { check: "auth_template" },
  );
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
