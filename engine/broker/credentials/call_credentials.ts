import { ErrorCode, RpcError } from "../../errors.ts";
import { isObject } from "../../is_object.ts";
import { inDomain, registrableDomain } from "../../grants/mod.ts";
import {
  allowedFor,
  type CredentialScope,
  misplaced,
} from "./credential_scope.ts";
import {
  newPlaceholder,
  ONE_PLACEHOLDER,
  PLACEHOLDER,
  substituteUrl,
} from "./placeholder.ts";
import { type GuardedSecret, ReflectionGuard } from "./reflection_guard.ts";
import { GuardJobError, type GuardPool } from "./guard_pool.ts";
import { withinGuessReach } from "./guess_space.ts";
import { scrubPacked, valueTexts, withTexts } from "./redact_value.ts";

/** A stored credential: a string, or an object of string fields. */
export type CredentialValue = string | Record<string, string>;

/** A credential a request carries (see {@linkcode CallCredentials.carriedIn}). */
export interface CarriedCredential {
  /** The vault domain (for messages; never a value). */
  domain: string;
  /** Whether the credential may be sent to this host. */
  mayGoTo(host: string): boolean;
}

/** One credential as a call holds it. */
export interface CallCredential {
  /** The vault row's domain. */
  domain: string;
  /** The decrypted value. */
  value: CredentialValue;
  /** Where it may be sent. */
  scope: CredentialScope;
}

/** Where a request goes and who sends it. */
export interface RequestTarget {
  /** The host the request goes to (as the skill named it). */
  host: string;
  /** The skill (for messages). */
  skillId: string;
}

/** Values shorter than this are not searched for in outgoing requests. */
const MIN_SCAN_CHARS = 6;

/**
 * Values shorter than this are not searched for in responses, logs and
 * errors: such a value cannot be told from ordinary text, and replacing
 * every "123" would garble what the skill reads.
 */
const MIN_GUARD_CHARS = 4;

/**
 * Texts shorter than this are guarded on the calling thread (a worker
 * round trip costs more than the scan); longer ones on a guard worker.
 */
export const INLINE_GUARD_CHARS = 64 * 1024;

/** A call's guard budget unless the owner sets `http.guard_budget_ms`. */
export const DEFAULT_GUARD_BUDGET_MS = 10_000;

/** What the guard works on, for its errors. */
type GuardedText = "response" | "result";

const GUARDED = {
  response: {
    one: "a response",
    all: "its responses",
    withheld:
      "the response is withheld, and so is every further one of this call",
  },
  result: {
    one: "the tool's result",
    all: "its responses and its result",
    withheld: "the tool's result is withheld and nothing of it is stored",
  },
};

/** Where the guard runs off the main thread, and the call's budget there. */
export interface OffThreadGuard {
  pool: GuardPool;
  /** Milliseconds of guard work one call may spend on responses. */
  budgetMs: number;
}

interface Loaded {
  /** The vault domain (for messages; never a value). */
  domain: string;
  value: string;
  placeholder: string;
  scope: CredentialScope;
}

/**
 * The credentials one call holds, and the rules that keep them in place.
 * A masked skill receives opaque placeholders (`agentos-secret-<hex>`)
 * instead of values; {@linkcode CallCredentials.substitute} puts the real
 * value back only in a request to the credential's own domain, and every
 * request is searched for this call's placeholders and real values
 * bound for anywhere else, which is refused. Responses are masked back,
 * and everything logged or returned is redacted.
 */
export class CallCredentials {
  /** Whether the skill sees placeholders (it does not declare `secrets`). */
  readonly masked: boolean;
  #loaded: Loaded[] = [];
  #byPlaceholder = new Map<string, Loaded>();
  #maskGuard: ReflectionGuard | undefined;
  #redactGuard: ReflectionGuard | undefined;
  /** Milliseconds of guard work spent on this call's responses. */
  #guardSpentMs = 0;

  /** @param masked true unless the skill declares `secrets` */
  constructor(masked: boolean) {
    this.masked = masked;
  }

  /** Whether the call holds any credential. */
  get empty(): boolean {
    return this.#loaded.length === 0;
  }

  /**
   * Adds a credential and returns what the skill receives for it: the
   * same fields with placeholders (masked), or the real value.
   *
   * @param credential the vault domain, the decrypted value and where it may be sent
   * @returns the skill's view (`params["auth"]` or a `secrets.read` answer)
   */
  add(credential: CallCredential): CredentialValue {
    const { domain, value, scope } = credential;
    const fields: Record<string, string> = typeof value === "string"
      ? { value }
      : value;
    const view: Record<string, string> = {};
    for (const [name, field] of Object.entries(fields)) {
      const placeholder = newPlaceholder();
      const loaded = { domain, value: field, placeholder, scope };
      this.#loaded.push(loaded);
      this.#maskGuard = this.#redactGuard = undefined;
      this.#byPlaceholder.set(placeholder, loaded);
      view[name] = this.masked ? placeholder : field;
    }
    return typeof value === "string" ? view.value! : view;
  }

  /**
   * Replaces this call's placeholders in a request's params by the real
   * values, after checking each may go to `host`.
   *
   * @param params the dispatch params (url, params, headers, json, data)
   * @param target the host the request goes to and the skill sending it
   * @returns the params with values in, and the domains whose credential was used
   * @throws {RpcError} Forbidden for a placeholder bound elsewhere or not this call's
   */
  substitute(
    params: Record<string, unknown>,
    target: RequestTarget,
  ): { params: Record<string, unknown>; used: string[] } {
    const { host, skillId } = target;
    const used = new Set<string>();
    const replace = (text: string, encode: (v: string) => string) =>
      text.replace(PLACEHOLDER, (found) => {
        const loaded = this.#byPlaceholder.get(found.toLowerCase());
        if (!loaded) {
          throw new RpcError(
            ErrorCode.Forbidden,
            `Skill "${skillId}" sent a credential placeholder that does not belong to this call (to host "${host}"); refused`,
            { host, check: "credentials" },
          );
        }
        if (!allowedFor(loaded.scope, host)) {
          throw misplaced(skillId, loaded, host);
        }
        used.add(loaded.domain);
        return encode(this.#valueFor(loaded, skillId));
      });
    const deep = (value: unknown): unknown => {
      if (typeof value === "string") return replace(value, (v) => v);
      if (Array.isArray(value)) return value.map(deep);
      if (isObject(value)) {
        return Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, deep(v)]),
        );
      }
      return value;
    };
    const out: Record<string, unknown> = { ...params };
    if (typeof params.url === "string") {
      out.url = substituteUrl(
        params.url,
        (text) => replace(text, encodeURIComponent),
      );
    }
    for (const key of ["params", "headers", "json", "data"]) {
      if (key in params) out[key] = deep(params[key]);
    }
    return { params: out, used: [...used].sort() };
  }

  /**
   * Replaces this call's placeholders in one string by their real values,
   * for an op the engine performs itself (`crypto.*`): the value is used
   * inside the engine and never sent anywhere.
   *
   * @param text a parameter that may be or contain placeholders
   * @param skillId the skill (for messages)
   * @returns the text with real values in
   * @throws {RpcError} Forbidden for a placeholder that is not this call's
   */
  reveal(text: string, skillId: string): string {
    return text.replace(PLACEHOLDER, (found) => {
      const loaded = this.#byPlaceholder.get(found.toLowerCase());
      if (!loaded) {
        throw new RpcError(
          ErrorCode.Forbidden,
          `Skill "${skillId}" used a credential placeholder that does not belong to this call; refused`,
          { check: "credentials" },
        );
      }
      return this.#valueFor(loaded, skillId);
    });
  }

  /**
   * Puts real values back into text a tool returns for the vault
   * (`__secrets__`): only placeholders of credentials of the same site —
   * `domain` is the credential's domain, a subdomain of it, or a parent
   * within the same registrable domain (a session cookie `www.x.com` set,
   * kept under `x.com`); any other placeholder is refused, so a skill
   * cannot re-file one site's credential under another's name, nor under
   * a public suffix (`test` for `keyed.test`) that covers every site.
   *
   * @param text a value the tool returned
   * @param domain the domain it is stored under
   * @returns the text with real values, or undefined when it carries a
   *   placeholder that may not be stored there
   */
  revealFor(text: string, domain: string): string | undefined {
    let refused = false;
    const out = text.replace(PLACEHOLDER, (found) => {
      const loaded = this.#byPlaceholder.get(found.toLowerCase());
      const home = loaded && "domain" in loaded.scope
        ? loaded.scope.domain
        : undefined;
      if (!loaded || !home || !sameSite(home, domain)) {
        refused = true;
        return found;
      }
      return loaded.value;
    });
    return refused ? undefined : out;
  }

  /**
   * Whether a text carries a placeholder, or (for a skill that sees real
   * values) one of this call's values of 4 characters or more: such a text
   * is no name for a vault row, whose identifier is shown in clear (logs,
   * results, `secrets list`). A masked skill's text is not compared with
   * values it never saw: a refusal would answer its guesses.
   *
   * @param text e.g. a `__secrets__` row's identifier
   * @returns true when it carries a credential
   */
  carriesCredential(text: string): boolean {
    if (ONE_PLACEHOLDER.test(text)) return true;
    if (this.masked) return false;
    return this.#loaded.some((loaded) =>
      loaded.value.length >= MIN_GUARD_CHARS && text.includes(loaded.value)
    );
  }

  /**
   * Refuses a request bound for `host` that carries a placeholder, or (for
   * a skill that sees real values) one of this call's real values
   * (verbatim, URL- or JSON-encoded) whose credential may not go there.
   * Runs on every redirect hop. A masked skill's text is not compared with
   * values it never saw: the refusal would answer its guesses (half of all
   * six-digit PINs in one body, and the answer halves them); what the
   * broker itself wrote is kept off other hosts by the redirect guard.
   *
   * @param texts the URL, header values and body of the request
   * @param target the hop's host and the skill sending it
   * @throws {RpcError} Forbidden
   */
  assertMayCarry(texts: string[], target: RequestTarget): void {
    const { host, skillId } = target;
    for (const text of texts) {
      const found = ONE_PLACEHOLDER.exec(text)?.[0];
      if (found) {
        const loaded = this.#byPlaceholder.get(found.toLowerCase());
        if (loaded && !allowedFor(loaded.scope, host)) {
          throw misplaced(skillId, loaded, host);
        }
        throw new RpcError(
          ErrorCode.Forbidden,
          `Skill "${skillId}" sent a credential placeholder to host "${host}" where it cannot be replaced; refused`,
          { host, check: "credentials" },
        );
      }
      if (this.masked) continue;
      for (const loaded of this.#loaded) {
        if (loaded.value.length < MIN_SCAN_CHARS) continue;
        if (allowedFor(loaded.scope, host)) continue;
        if (encodings(loaded.value).some((form) => text.includes(form))) {
          throw misplaced(skillId, loaded, host);
        }
      }
    }
  }

  /**
   * Masks text a masked skill will read (a response's status line,
   * headers, body and final URL): every real value, in every form the
   * {@linkcode ReflectionGuard} finds (percent-encoded, JSON- or
   * HTML-escaped, base64, UTF-16/32, a truncated echo), becomes its
   * placeholder, so a server that reflects the request does not hand the
   * skill the value it was never given.
   *
   * @param text response text
   * @returns the text as the skill may see it
   */
  mask(text: string): string {
    if (!this.masked) return text;
    this.#maskGuard ??= this.#guard((loaded) => loaded.placeholder);
    return this.#maskGuard.scrub(text);
  }

  /**
   * Has a guard worker prepare the automata this call's guards use (the
   * values together, for {@linkcode CallCredentials.mask} and
   * {@linkcode CallCredentials.redact}; each value alone, for
   * {@linkcode CallCredentials.carriedIn}), so the main thread builds
   * none. A set already prepared costs nothing; a worker that fails
   * leaves the set to be built where it is first used.
   *
   * @param pool the guard workers
   */
  async ready(pool: GuardPool): Promise<void> {
    const sets = this.#loaded.filter((l) => l.value !== "").map((l) => [
      l.value,
    ]);
    const together = this.#guarded(() => "").map((s) => s.value);
    if (together.length > 0) sets.push(together);
    await Promise.all(
      sets.map((values) => pool.prepare(values).catch(() => {})),
    );
  }

  /**
   * {@linkcode CallCredentials.mask} for a text of any size, off the main
   * thread when it is large, within the call's guard budget.
   *
   * @param text response text
   * @param guard the worker pool and the call's budget
   * @returns the text as the skill may see it
   * @throws {RpcError} Timeout once the call's budget is spent
   */
  async maskOffThread(text: string, guard: OffThreadGuard): Promise<string> {
    return this.masked
      ? await this.#offThread(
        text,
        guard,
        (l) => l.placeholder,
        "response",
        (t) => this.mask(t),
      )
      : text;
  }

  /**
   * {@linkcode CallCredentials.redact} for a text of any size (a
   * recording's body), off the main thread when it is large, within the
   * call's guard budget.
   *
   * @param text any text
   * @param guard the worker pool and the call's budget
   * @returns the text with `[secret]` in place of each value
   * @throws {RpcError} Timeout once the call's budget is spent
   */
  async redactOffThread(text: string, guard: OffThreadGuard): Promise<string> {
    return await this.#offThread(
      text,
      guard,
      () => "[secret]",
      "response",
      (t) => this.redact(t),
    );
  }

  /**
   * {@linkcode CallCredentials.redactValue} for values of any size (a
   * tool's result, a failure's data), off the main thread when their
   * strings are large, within the call's guard budget. Values that share
   * strings (a result and the return value it was taken from) are
   * redacted in one pass: each distinct string once
   * (`redact_value.ts`). Small values are redacted inline, whatever is
   * left of the budget.
   *
   * @param values JSON values
   * @param guard the worker pool and the call's budget
   * @returns each value with secrets removed
   * @throws {RpcError} Timeout once the call's budget is spent; InternalError
   *   when a guard worker failed
   */
  async redactValuesOffThread(
    values: unknown[],
    guard: OffThreadGuard,
  ): Promise<unknown[]> {
    if (this.#loaded.length === 0) return values;
    const { texts, chars } = valueTexts(values);
    const started = performance.now();
    // Small values are scrubbed inline, packed too: one scan of all their
    // strings instead of one per string (a catalog call's 20 records).
    const inline = chars < INLINE_GUARD_CHARS;
    const redacted = await scrubPacked(
      texts,
      (text) =>
        inline
          ? Promise.resolve(this.redact(text))
          : this.#offThread(text, guard, () => "[secret]", "result"),
    );
    if (inline) this.#guardSpentMs += performance.now() - started;
    return values.map((value) => withTexts(value, redacted));
  }

  /**
   * Scrubs a text within the call's budget: inline when `inline` is given
   * and the text is short, else on a guard worker.
   */
  async #offThread(
    text: string,
    guard: OffThreadGuard,
    replacement: (loaded: Loaded) => string,
    what: GuardedText,
    inline?: (text: string) => string,
  ): Promise<string> {
    const left = guard.budgetMs - this.#guardSpentMs;
    if (left <= 0) throw this.#budgetSpent(guard.budgetMs, what);
    if (inline && text.length < INLINE_GUARD_CHARS) {
      const started = performance.now();
      const out = inline(text);
      this.#guardSpentMs += performance.now() - started;
      return out;
    }
    try {
      // This call's jobs queue behind each other, not other calls'.
      const done = await guard.pool.scrub(
        this.#guarded(replacement),
        text,
        left,
        this,
      );
      this.#guardSpentMs += done.ms;
      return done.text;
    } catch (error) {
      if (error instanceof GuardJobError && error.reason === "budget") {
        this.#guardSpentMs = guard.budgetMs;
        throw this.#budgetSpent(guard.budgetMs, what);
      }
      throw new RpcError(
        ErrorCode.InternalError,
        `The reflection guard failed on ${GUARDED[what].one} (${
          (error as Error).message
        }); ${GUARDED[what].withheld}`,
        { check: "reflection_guard" },
      );
    }
  }

  #budgetSpent(budgetMs: number, what: GuardedText): RpcError {
    return new RpcError(
      ErrorCode.Timeout,
      `The reflection guard spent this call's budget of ${budgetMs} ms on ${
        GUARDED[what].all
      }; ${
        GUARDED[what].withheld
      }. The owner can raise the budget: agentos prefs set http.guard_budget_ms <ms>`,
      { check: "reflection_guard", budget_ms: budgetMs },
    );
  }

  /**
   * Removes every real value (in every form the
   * {@linkcode ReflectionGuard} finds) and every placeholder from text
   * bound for a log, an audit line, an error or a result.
   *
   * @param text any text
   * @returns the text with `[secret]` in their place
   */
  redact(text: string): string {
    this.#redactGuard ??= this.#guard(() => "[secret]");
    return this.#redactGuard.scrub(text);
  }

  /**
   * The credentials whose real values `texts` carry, in any form the
   * {@linkcode ReflectionGuard} finds (base64 inside `Basic …` included),
   * whatever the value's length: what a request the broker built holds.
   *
   * @param texts header values, a URL, a body
   * @returns one entry per vault domain found, with where it may go
   */
  carriedIn(texts: string[]): CarriedCredential[] {
    const found = new Map<string, CarriedCredential>();
    for (const loaded of this.#loaded) {
      if (loaded.value === "" || found.has(loaded.domain)) continue;
      const guard = new ReflectionGuard([{
        value: loaded.value,
        replacement: "",
      }]);
      if (texts.some((text) => guard.holds(text))) {
        const { domain, scope } = loaded;
        found.set(domain, {
          domain,
          mayGoTo: (host) => allowedFor(scope, host),
        });
      }
    }
    return [...found.values()];
  }

  /**
   * {@linkcode CallCredentials.redact} applied to every string in a value.
   *
   * @param value any JSON value
   * @returns the value with secrets removed
   */
  redactValue(value: unknown): unknown {
    if (this.#loaded.length === 0) return value;
    if (typeof value === "string") return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v));
    if (isObject(value)) {
      return Object.fromEntries(
        Object.entries(value).map((
          [k, v],
        ) => [this.redact(k), this.redactValue(v)]),
      );
    }
    return value;
  }

  /**
   * Refuses what an auth template set when it carries a value this skill
   * may not use ({@linkcode CallCredentials.#valueFor}): the template path
   * holds to the same rule as a placeholder.
   *
   * @param texts the values the templates set
   * @param skillId the skill (for messages)
   * @throws {RpcError} Forbidden naming the credential's domain
   */
  assertMaySend(texts: string[], skillId: string): void {
    if (!this.masked || texts.length === 0) return;
    // A value it may use can hold a part it may not (`user:pass`): what
    // is left once those are taken out is what is checked.
    const strong = this.#loaded.filter((l) => this.#guardable(l));
    const left = texts.map((text) =>
      strong.reduce((t, l) => t.replaceAll(l.value, "\u0000"), text)
    );
    for (const loaded of this.#loaded) {
      if (loaded.value === "" || this.#guardable(loaded)) continue;
      const guard = new ReflectionGuard([{
        value: loaded.value,
        replacement: "",
      }]);
      if (left.some((t) => t.includes(loaded.value) || guard.holds(t))) {
        this.#valueFor(loaded, skillId);
      }
    }
  }

  /**
   * The real value a placeholder stands for, where the engine will use it
   * (a request, a crypto op). A masked skill's value shorter than
   * {@linkcode MIN_GUARD_CHARS}, or within guessing reach, is never used:
   * the reflection guard cannot mask the first in an echo of its own
   * domain, masking the second would mark a right guess, and a key derived
   * from either is found by trying every value — such a value goes only
   * through a skill the owner granted `--secrets`.
   */
  #valueFor(loaded: Loaded, skillId: string): string {
    if (this.#guardable(loaded)) return loaded.value;
    const why = loaded.value.length < MIN_GUARD_CHARS
      ? `shorter than ${MIN_GUARD_CHARS} characters: an echo of it cannot be masked`
      : `short and simple enough to find by sending every candidate to an echo of its domain`;
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skillId}" used the credential for "${loaded.domain}", which is ${why}, so it is used only for a skill the owner trusts with real values (agentos skills allow ${skillId} --secrets); refused`,
      { credential: loaded.domain, check: "credentials" },
    );
  }

  /**
   * Whether the guard searches for this value. For a masked skill, not a
   * value within guessing reach (`guess_space.ts`): masking it would mark
   * the skill's right guess; such a value is never used for it either.
   */
  #guardable(loaded: Loaded): boolean {
    if (loaded.value.length < MIN_GUARD_CHARS) return !this.masked;
    return !this.masked || !withinGuessReach(loaded.value);
  }

  #guard(replacement: (loaded: Loaded) => string): ReflectionGuard {
    return new ReflectionGuard(this.#guarded(replacement));
  }

  #guarded(replacement: (loaded: Loaded) => string): GuardedSecret[] {
    return this.#loaded.filter((l) =>
      l.value.length >= MIN_GUARD_CHARS && this.#guardable(l)
    ).map((
      loaded,
    ) => ({ value: loaded.value, replacement: replacement(loaded) }));
  }
}

function encodings(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value)]);
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(new URLSearchParams({ v: value }).toString().slice(2));
  return [...forms];
}

/**
 * Whether a credential of `home` may be kept under `domain`: the same
 * host or below, or a parent that is still the same registrable domain
 * (by the Public Suffix List).
 */
function sameSite(home: string, domain: string): boolean {
  if (inDomain(domain, home)) return true;
  return inDomain(home, domain) &&
    registrableDomain(home) === registrableDomain(domain);
}
