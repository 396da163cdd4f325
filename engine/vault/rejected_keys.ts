/**
 * Stored credentials their own domain refused lately: the engine notes one
 * when a call fails after the credential's domain answered 401 or 403 to a
 * request that carried it, so an MCP client can be sent a link to replace
 * it (`credentials.link`). Only the engine writes here, from what its HTTP
 * broker saw; nothing a skill says reaches it. In memory only.
 *
 * @module
 */

/** A stored credential its domain refused in a call that then failed. */
export interface RejectedKey {
  skill: string;
  /** The vault row's domain and identifier. */
  domain: string;
  identifier: string;
  /** The HTTP status the domain answered (401 or 403). */
  status: number;
  at: number;
}

/** How long a refusal stays asked for. */
export const REJECTED_KEEP_MS = 10 * 60_000;
/** Refusals kept at once; the oldest go first. */
export const MAX_REJECTED = 64;

/** The refusals of the last minutes, newest last. */
export class RejectedKeys {
  #rows: RejectedKey[] = [];
  #now: () => number;

  /** @param now a millisecond clock (a seam for tests) */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Notes a refusal, replacing an older one of the same skill and row.
   *
   * @param skill the skill whose call failed
   * @param row the vault row its domain refused, and the status
   */
  note(
    skill: string,
    row: { domain: string; identifier: string; status: number },
  ): void {
    this.#rows = this.#rows.filter((r) =>
      !(r.skill === skill && r.domain === row.domain &&
        r.identifier === row.identifier)
    );
    this.#rows.push({ skill, ...row, at: this.#now() });
    if (this.#rows.length > MAX_REJECTED) this.#rows.shift();
  }

  /**
   * The newest refusal of this skill's calls still worth asking about.
   *
   * @param skill a skill id
   * @returns the refusal, or undefined
   */
  latest(skill: string): RejectedKey | undefined {
    const since = this.#now() - REJECTED_KEEP_MS;
    this.#rows = this.#rows.filter((r) => r.at > since);
    return this.#rows.findLast((r) => r.skill === skill);
  }

  /**
   * Forgets every refusal of a row once a new value is stored in it.
   *
   * @param domain the row's domain
   * @param identifier the row's identifier
   */
  forget(domain: string, identifier: string): void {
    this.#rows = this.#rows.filter((r) =>
      !(r.domain === domain && r.identifier === identifier)
    );
  }
}
