/**
 * One-time credential links: the engine hands an MCP client a link to a
 * bridge page where the owner types a key for exactly one domain and its
 * fields. The key goes browser → bridge → engine → vault; the link's token
 * is the only thing that passes through the client, and it is good for one
 * submission, for a few minutes, for that domain and those fields.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { SecretValue } from "./vault.ts";

/** Default life of a link: long enough to find the key in a dashboard. */
export const LINK_TTL_MS = 10 * 60_000;
/** Links open at once; beyond this the oldest is dropped (a flood cannot grow memory). */
export const MAX_OPEN_LINKS = 32;
/** Longest value of one field. */
export const MAX_FIELD_CHARS = 8 * 1024;

/** What a link asks for; shown on the page. */
export interface LinkRequest {
  /** The skill whose connection needs the credential. */
  skill: string;
  /**
   * The vault domain the credential is stored under; `""` when it is the
   * skill's own (see `forSkill`).
   */
  domain: string;
  /**
   * Stored as the skill's own credential (its connection has no base_url
   * nor domain), in the vault's skill namespace, never under a domain.
   */
  forSkill?: boolean;
  /** The field names, e.g. `["key"]`. */
  fields: string[];
  /**
   * Replaces a stored credential its own domain refused (HTTP 401/403):
   * the vault row's identifier, `""` for the default one.
   */
  replaces?: { identifier: string; status: number };
}

/** A link as the page and the proxy see it (never the token). */
export interface LinkView extends LinkRequest {
  id: string;
  expiresAt: string;
  state: "pending" | "stored" | "expired";
}

interface Link extends LinkRequest {
  id: string;
  token: string;
  expires: number;
  state: "pending" | "storing" | "stored";
  done: PromiseWithResolvers<void>;
}

/** Stores a submitted credential (the vault's `set`, or `setForSkill`). */
export type StoreCredential = (
  request: LinkRequest,
  identifier: string,
  value: SecretValue,
) => Promise<void>;

/** The open links, in memory only: an engine restart voids them all. */
export class CredentialLinks {
  #links = new Map<string, Link>();
  #store: StoreCredential;
  #now: () => number;

  /**
   * @param store writes the credential (the vault)
   * @param now a millisecond clock (a seam for tests)
   */
  constructor(store: StoreCredential, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /**
   * Opens a link.
   *
   * @param request skill, domain and fields
   * @param ttlMs its life (bounded to 1 s … 30 min)
   * @returns the view and the secret token for the URL
   */
  create(request: LinkRequest, ttlMs = LINK_TTL_MS): LinkView & {
    token: string;
  } {
    this.#sweep();
    if (this.#links.size >= MAX_OPEN_LINKS) {
      const oldest = this.#links.keys().next().value!;
      this.#links.get(oldest)!.done.resolve();
      this.#links.delete(oldest);
    }
    const ttl = Math.min(Math.max(Math.round(ttlMs), 1000), 30 * 60_000);
    const link: Link = {
      ...request,
      fields: [...request.fields],
      id: crypto.randomUUID(),
      token: randomToken(),
      expires: this.#now() + ttl,
      state: "pending",
      done: Promise.withResolvers(),
    };
    this.#links.set(link.token, link);
    return { ...this.#view(link), token: link.token };
  }

  /**
   * What a link asks for, for the page; does not use it up.
   *
   * @throws {RpcError} NotFound for an unknown, used or expired token
   */
  describe(token: unknown): LinkView {
    return this.#view(this.#open(token));
  }

  /**
   * Stores the credential a page submitted and uses the link up. The values
   * must be exactly the link's fields, each a non-empty string; otherwise
   * nothing is stored and the link stays open.
   *
   * @throws {RpcError} NotFound for an unknown, used or expired token; InvalidParams for wrong values
   */
  async submit(token: unknown, values: unknown): Promise<LinkView> {
    const link = this.#open(token);
    const value = checkedValues(link.fields, values);
    // Claimed before the await: a second submission racing this one is refused.
    link.state = "storing";
    try {
      await this.#store(link, link.replaces?.identifier ?? "", value);
    } catch (error) {
      link.state = "pending";
      throw error;
    }
    link.state = "stored";
    link.done.resolve();
    return this.#view(link);
  }

  /**
   * Waits until a link is used, expires, or `timeoutMs` passes.
   *
   * @param id the link's id (not its token)
   * @param timeoutMs the longest wait
   * @returns the link's state then
   * @throws {RpcError} NotFound for an unknown id
   */
  async wait(id: string, timeoutMs: number): Promise<LinkView> {
    const link = [...this.#links.values()].find((l) => l.id === id);
    if (!link) {
      throw new RpcError(ErrorCode.NotFound, `No credential link "${id}"`);
    }
    const left = Math.min(timeoutMs, link.expires - this.#now());
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      link.done.promise,
      new Promise((resolve) => timer = setTimeout(resolve, Math.max(left, 0))),
    ]);
    clearTimeout(timer);
    // A used link stays until its sweep, so a second use says "already used".
    return this.#view(link);
  }

  #open(token: unknown): Link {
    const link = typeof token === "string" ? this.#links.get(token) : undefined;
    if (!link || link.state !== "pending" || link.expires <= this.#now()) {
      throw new RpcError(
        ErrorCode.NotFound,
        !link
          ? "This credential link is not valid (unknown, or the engine restarted); ask for a new one"
          : link.state !== "pending"
          ? "This credential link was already used; a link works once"
          : "This credential link has expired; ask for a new one",
        { reason: "LINK_INVALID" },
      );
    }
    return link;
  }

  #view(link: Link): LinkView {
    const expired = link.state === "pending" && link.expires <= this.#now();
    return {
      id: link.id,
      skill: link.skill,
      domain: link.domain,
      ...(link.forSkill ? { forSkill: true } : {}),
      ...(link.replaces ? { replaces: { ...link.replaces } } : {}),
      fields: [...link.fields],
      expiresAt: new Date(link.expires).toISOString(),
      state: link.state === "stored"
        ? "stored"
        : expired
        ? "expired"
        : "pending",
    };
  }

  #sweep(): void {
    const now = this.#now();
    for (const [token, link] of this.#links) {
      // A finished link is kept a minute for the proxy's wait to read.
      if (link.expires + 60_000 <= now) {
        link.done.resolve();
        this.#links.delete(token);
      }
    }
  }
}

/** The submitted values as the vault stores them, or InvalidParams saying why not. */
function checkedValues(fields: string[], values: unknown): SecretValue {
  if (!isObject(values)) {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `"values" must be an object with the fields ${fields.join(", ")}`,
    );
  }
  const extra = Object.keys(values).filter((k) => !fields.includes(k));
  if (extra.length > 0) {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `This link asks only for ${
        fields.join(", ")
      }; "values" has ${extra.length} other field(s)`,
    );
  }
  const value: Record<string, string> = {};
  for (const field of fields) {
    const entry = values[field];
    if (typeof entry !== "string" || entry.trim() === "") {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `The field "${field}" must be a non-empty text`,
      );
    }
    if (entry.length > MAX_FIELD_CHARS) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `The field "${field}" is longer than ${MAX_FIELD_CHARS} characters`,
      );
    }
    value[field] = entry;
  }
  return value;
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-")
    .replaceAll("/", "_").replaceAll("=", "");
}
