import { type Server, UrlElicitationRequiredError } from "./_sdk.ts";
import { RpcError } from "../engine/mod.ts";
import type { EngineLink } from "./engine_link.ts";
import type { McpLog } from "./mcp_log.ts";
import { promptQuoted, promptText } from "./prompt_text.ts";

/** Options for {@linkcode CredentialPrompt}. */
export interface CredentialPromptOptions {
  /** Life of a link and longest wait for the person, in ms (default 10 min). */
  ttlMs?: number;
  /** Links one session may send per 10 minutes (default 3). */
  maxPerWindow?: number;
  /**
   * How a link reaches a client that declared URL elicitation: `request`
   * sends `elicitation/create` and holds the tool call until the key is
   * stored, then calls again; `error` answers the tool call at once with
   * the URL-elicitation-required error (-32042) carrying the link, and the
   * client calls again after `notifications/elicitation/complete`.
   * Default `request`.
   */
  style?: "request" | "error";
}

/** How asking the person for a credential ended. */
export type CredentialOutcome =
  | { kind: "stored"; domain: string }
  | { kind: "refused"; domain: string; why: string };

/**
 * A stored credential its own domain refused (HTTP 401/403) on a request
 * that carried it: the engine's `credentialRefused` fact of a failed skill
 * call, set only by the engine (a skill's text or fields cannot make one).
 */
export interface CredentialRefused {
  skill: string;
  domain: string;
  identifier: string;
  status: number;
}

/**
 * The refused credential a failed `skills.run` or `capability.invoke`
 * names, when its shape is the engine's.
 *
 * @param error what the engine answered
 * @returns the fact, or undefined
 */
export function credentialRefusedOf(
  error: unknown,
): CredentialRefused | undefined {
  if (!(error instanceof RpcError)) return undefined;
  const fact = (error.data as { credentialRefused?: unknown } | undefined)
    ?.credentialRefused as Record<string, unknown> | undefined;
  if (typeof fact !== "object" || fact === null) return undefined;
  const { skill, domain, identifier, status } = fact;
  if (
    typeof skill !== "string" || skill === "" || typeof domain !== "string" ||
    domain === "" || typeof identifier !== "string" ||
    (status !== 401 && status !== 403)
  ) {
    return undefined;
  }
  return { skill, domain, identifier, status };
}

/** The engine's answer to `credentials.link`. */
interface LinkAnswer {
  id: string;
  url: string;
  skill: string;
  domain: string;
  expiresAt: string;
  replaces?: { identifier: string; status: number };
}

const WINDOW_MS = 10 * 60_000;

/**
 * Asks the person for a missing credential by URL elicitation: the engine
 * makes a one-time link to the bridge page for the domain its skill's
 * connection declares (the proxy never picks the domain), the client shows
 * the link, the person types the key in the browser, and the engine says
 * when it is stored. The key never passes through this process. One session
 * gets a few links per window, and a domain the person declined is not
 * asked for again in the session.
 */
export class CredentialPrompt {
  #server: Server;
  #link: EngineLink;
  #log: McpLog;
  #ttlMs: number;
  #max: number;
  #sent: number[] = [];
  #declined = new Set<string>();
  #style: "request" | "error";
  /** Ends the links followed after a -32042 answer, when the session ends. */
  #following = new AbortController();

  /**
   * @param server the session's MCP server
   * @param link the engine
   * @param log the proxy's log
   * @param options link life and rate
   */
  constructor(
    server: Server,
    link: EngineLink,
    log: McpLog,
    options: CredentialPromptOptions = {},
  ) {
    this.#server = server;
    this.#link = link;
    this.#log = log;
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#max = options.maxPerWindow ?? 3;
    this.#style = options.style ?? "request";
  }

  /** Stops following the links sent in -32042 answers. */
  close(): void {
    this.#following.abort();
  }

  /** Whether the client declared URL elicitation. */
  get supported(): boolean {
    return this.#server.getClientCapabilities()?.elicitation?.url !== undefined;
  }

  /**
   * Asks for the first missing credential of these skills, or for a new
   * one in place of a stored credential its domain refused.
   *
   * @param skills the skills the failed call tried (from the engine's answer)
   * @param signal the tool call's cancellation
   * @param refused the engine's fact of a refused stored credential, if any
   * @returns the outcome, or undefined when nothing was asked
   * @throws {UrlElicitationRequiredError} in the `error` style, with the link
   */
  async ask(
    skills: string[],
    signal: AbortSignal,
    refused?: CredentialRefused,
  ): Promise<CredentialOutcome | undefined> {
    if (!this.supported || skills.length === 0) return undefined;
    const now = Date.now();
    this.#sent = this.#sent.filter((at) => at > now - WINDOW_MS);
    if (this.#sent.length >= this.#max) {
      this.#log.warn("Credential link not sent: rate limit", {
        sent: this.#sent.length,
      });
      return undefined;
    }
    let link: LinkAnswer;
    try {
      link = await this.#link.call<LinkAnswer>("credentials.link", {
        skills: refused ? [refused.skill] : skills.slice(0, 10),
        ttlMs: this.#ttlMs,
        ...(refused
          ? {
            refused: {
              domain: refused.domain,
              identifier: refused.identifier,
              status: refused.status,
            },
          }
          : {}),
      }, { signal, timeoutMs: 30_000 });
    } catch (error) {
      // Nothing missing (the failure had another cause), or no bridge.
      this.#log.debug("No credential link", {
        error: (error as Error).message,
      });
      return undefined;
    }
    if (this.#declined.has(link.domain)) return undefined;
    this.#sent.push(now);
    if (this.#style === "error") this.#raise(link);
    return await this.#elicit(link, signal);
  }

  /**
   * The first of these skills whose credential is stored for other skills
   * (the engine's `NOT_SHARED`): the grant the owner could give instead of
   * a new credential. Asks the engine only; makes no link.
   *
   * @param skills the skills the failed call tried
   * @param signal the tool call's cancellation
   * @returns the skill and domain, or undefined
   */
  async unshared(
    skills: string[],
    signal: AbortSignal,
  ): Promise<{ skill: string; domain: string } | undefined> {
    if (skills.length === 0) return undefined;
    try {
      await this.#link.call("credentials.link", {
        skills: skills.slice(0, 10),
        probe: true,
      }, { signal, timeoutMs: 30_000 });
      return undefined;
    } catch (error) {
      return notSharedOf(error);
    }
  }

  /**
   * Answers the tool call with the link as the URL-elicitation-required
   * error, and follows the link in the background: once the key is stored
   * the client is told, so it can call again.
   */
  #raise(link: LinkAnswer): never {
    void this.#waitStored(link, this.#following.signal).then(async (state) => {
      if (state !== "stored") {
        this.#log.info("Credential link refused", {
          domain: link.domain,
          why: `the link ${state}`,
        });
        return;
      }
      this.#log.info("Credential stored through a link", {
        domain: link.domain,
      });
      await this.#server.createElicitationCompletionNotifier(link.id)();
    }).catch(() => {});
    throw new UrlElicitationRequiredError([{
      mode: "url",
      elicitationId: link.id,
      url: link.url,
      message: linkMessage(link),
    }], "A credential is needed: open the link, then call the tool again");
  }

  async #elicit(
    link: LinkAnswer,
    signal: AbortSignal,
  ): Promise<CredentialOutcome> {
    const refused = (why: string): CredentialOutcome => {
      this.#log.info("Credential link refused", { domain: link.domain, why });
      return { kind: "refused", domain: link.domain, why };
    };
    try {
      const answer = await this.#server.elicitInput({
        mode: "url",
        elicitationId: link.id,
        url: link.url,
        message: linkMessage(link),
      }, { signal, timeout: this.#ttlMs });
      if (answer.action !== "accept") {
        this.#declined.add(link.domain);
        return refused(`the user chose ${answer.action}`);
      }
    } catch (error) {
      return refused(
        `the client gave no valid answer (${
          (error as Error).message.slice(0, 200)
        })`,
      );
    }
    const state = await this.#waitStored(link, signal);
    if (state !== "stored") return refused(`the link ${state}`);
    await this.#server.createElicitationCompletionNotifier(link.id)()
      .catch(() => {});
    this.#log.info("Credential stored through a link", {
      domain: link.domain,
    });
    return { kind: "stored", domain: link.domain };
  }

  /** Waits for the page's submission, the link's expiry or cancellation. */
  async #waitStored(link: LinkAnswer, signal: AbortSignal): Promise<string> {
    while (!signal.aborted) {
      let view: { state: string };
      try {
        view = await this.#link.call<{ state: string }>(
          "credentials.link_wait",
          { id: link.id, timeoutMs: 30_000 },
          { signal, timeoutMs: 40_000, dedicated: true },
        );
      } catch (error) {
        return `could not be followed (${(error as Error).message})`;
      }
      if (view.state === "stored") return "stored";
      if (view.state !== "pending") return view.state;
    }
    return "was cancelled";
  }
}

/**
 * The engine's `NOT_SHARED` answer to `credentials.link`: a credential is
 * stored for the domain, for other skills; its grant's skill and domain.
 */
function notSharedOf(
  error: unknown,
): { skill: string; domain: string } | undefined {
  if (!(error instanceof RpcError)) return undefined;
  const data = error.data as Record<string, unknown> | undefined;
  const grant = data?.grant as Record<string, unknown> | undefined;
  if (data?.reason !== "NOT_SHARED" || typeof grant !== "object") {
    return undefined;
  }
  const { skill, domain } = grant ?? {};
  if (typeof skill !== "string" || typeof domain !== "string") return undefined;
  return { skill, domain };
}

/** What the person reads: why the skill needs the credential, and where it goes. */
function linkMessage(link: LinkAnswer): string {
  const domain = promptText(link.domain);
  return `The skill ${promptQuoted(link.skill)} ${
    link.replaces
      ? `was refused by ${domain} (HTTP ${link.replaces.status}) with the stored credential: it may have expired or been revoked. To replace it, open`
      : `needs a credential for ${domain}. Open`
  } this one-time link on this computer and type it there: ` +
    "it goes straight to AgentOS's encrypted vault, never to this chat.";
}
