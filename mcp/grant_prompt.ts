import type { Server } from "./_sdk.ts";
import type { EngineLink } from "./engine_link.ts";
import type { McpLog } from "./mcp_log.ts";
import { promptQuoted, promptText } from "./prompt_text.ts";
import { grantCommand, type GrantNeeded } from "./grant_needed.ts";

/** Options for {@linkcode GrantPrompt}. */
export interface GrantPromptOptions {
  /** Longest wait for the person's answer, in ms (default 2 minutes). */
  timeoutMs?: number;
  /** Prompts one skill may cause per 10 minutes (default 3). */
  perSkill?: number;
  /** Prompts one session may send per 10 minutes (default 6). */
  perSession?: number;
}

/** How asking the person for a grant ended. */
export type GrantOutcome =
  | { kind: "once"; token: string }
  | { kind: "always" }
  | { kind: "refused"; why: string }
  | { kind: "unoffered"; why: string };

/** The person's choices, in the order the form offers them. */
const DECISIONS = ["allow_once", "allow_always", "deny"] as const;
type Decision = typeof DECISIONS[number] | "no_answer";

const WINDOW_MS = 10 * 60_000;

/**
 * The grants a prompt may give. A program and a `--read` path are first
 * resolved on the host by the engine (`approvals.resolve`, a sandboxed
 * probe making the CLI's checks): the prompt shows the real path.
 */
const PROMPTABLE: ReadonlySet<string> = new Set([
  "host",
  "secrets",
  "keychain",
  "program",
  "read",
  "credential",
]);

/** The kinds whose grant the engine resolves before anything is asked. */
const RESOLVED: ReadonlySet<string> = new Set(["program", "read"]);

/**
 * Asks the person, by form elicitation, for a grant a tool call was
 * refused (#27): allow once, always, or deny. The prompt is built here
 * from the engine's own description of the grant (never from text a skill
 * wrote), its skill id and value escaped; each answer is audited by the
 * engine (`approvals.answer`). "Always" writes the grant through the
 * methods `agentos skills allow` calls; "once" gets a one-call grant for
 * the retry. Prompts are capped per skill and per session, and a grant the
 * person denied is not asked for again in the session.
 */
export class GrantPrompt {
  #server: Server;
  #link: EngineLink;
  #log: McpLog;
  #timeoutMs: number;
  #perSkill: number;
  #perSession: number;
  #sent: { at: number; skill: string }[] = [];
  #denied = new Set<string>();

  /**
   * @param server the session's MCP server
   * @param link the engine
   * @param log the proxy's log
   * @param options timeout and rates
   */
  constructor(
    server: Server,
    link: EngineLink,
    log: McpLog,
    options: GrantPromptOptions = {},
  ) {
    this.#server = server;
    this.#link = link;
    this.#log = log;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#perSkill = options.perSkill ?? 3;
    this.#perSession = options.perSession ?? 6;
  }

  /** Whether the client declared form elicitation. */
  get supported(): boolean {
    return this.#server.getClientCapabilities()?.elicitation?.form !==
      undefined;
  }

  /**
   * Asks for a grant, when the client takes forms, the person has not
   * denied it this session and the rates allow.
   *
   * @param need the engine's description of the refused grant
   * @param signal the tool call's cancellation
   * @returns the outcome, or undefined when nothing was asked
   */
  async ask(
    need: GrantNeeded,
    signal: AbortSignal,
  ): Promise<GrantOutcome | undefined> {
    if (!this.supported || !PROMPTABLE.has(need.kind)) return undefined;
    const key = JSON.stringify([need.skill, grantCommand(need)]);
    if (this.#denied.has(key)) {
      return {
        kind: "refused",
        why: "the user denied it earlier in this session",
      };
    }
    if (!this.#allowedNow(need.skill)) return undefined;
    const resolved = await this.#resolve(need);
    if ("outcome" in resolved) return resolved.outcome;
    const decision = await this.#elicit(resolved.need, signal);
    if (decision === "deny") this.#denied.add(key);
    return await this.#settle(resolved.need, decision);
  }

  /**
   * A program or `--read` path as the engine resolves it on the host (the
   * real path the prompt shows and the grant holds), or why it is not
   * offered; any other grant as it is.
   */
  async #resolve(
    need: GrantNeeded,
  ): Promise<{ need: GrantNeeded } | { outcome: GrantOutcome }> {
    if (!RESOLVED.has(need.kind)) return { need };
    try {
      const { grant } = await this.#link.call<
        { grant: Record<string, unknown> }
      >(
        "approvals.resolve",
        { grant: need },
        { timeoutMs: 30_000 },
      );
      const path = String(grant.path);
      if (need.kind === "program") return { need: { ...need, path } };
      return { need: { ...need, path, pin: String(grant.pin) } as GrantNeeded };
    } catch (error) {
      this.#log.info("Approval prompt not sent: not offered", {
        skill: need.skill,
        kind: need.kind,
      });
      return {
        outcome: {
          kind: "unoffered",
          why: (error as Error).message.slice(0, 300),
        },
      };
    }
  }

  /** Counts a prompt against the skill's and the session's rate, if both allow it. */
  #allowedNow(skill: string): boolean {
    const now = Date.now();
    this.#sent = this.#sent.filter((s) => s.at > now - WINDOW_MS);
    const mine = this.#sent.filter((s) => s.skill === skill).length;
    if (mine >= this.#perSkill || this.#sent.length >= this.#perSession) {
      this.#log.warn("Approval prompt not sent: rate limit", {
        skill,
        bySkill: mine,
        bySession: this.#sent.length,
      });
      return false;
    }
    this.#sent.push({ at: now, skill });
    return true;
  }

  /** The form, and the person's decision (no answer on anything but a valid one). */
  async #elicit(need: GrantNeeded, signal: AbortSignal): Promise<Decision> {
    try {
      const answer = await this.#server.elicitInput({
        mode: "form",
        message: promptMessage(need),
        requestedSchema: {
          type: "object",
          properties: {
            decision: {
              type: "string",
              title: "Allow this?",
              enum: [...DECISIONS],
            },
          },
          required: ["decision"],
        },
      }, { signal, timeout: this.#timeoutMs });
      if (answer.action === "decline") return "deny";
      if (answer.action !== "accept") return "no_answer";
      const decision = answer.content?.decision;
      return DECISIONS.includes(decision as typeof DECISIONS[number])
        ? decision as Decision
        : "no_answer";
    } catch (error) {
      this.#log.info("Approval prompt got no valid answer", {
        error: (error as Error).message.slice(0, 200),
      });
      return "no_answer";
    }
  }

  /** Writes an "always" grant, audits the answer, and says how the call goes on. */
  async #settle(
    grant: GrantNeeded,
    decision: Decision,
  ): Promise<GrantOutcome> {
    let reason: string | undefined;
    if (decision === "allow_always") {
      try {
        await this.#link.call(...allowCall(grant), { timeoutMs: 30_000 });
      } catch (error) {
        reason = `the grant could not be written: ${
          (error as Error).message.slice(0, 150)
        }`;
      }
    }
    const answer = reason ? "deny" : decision;
    const audited = await this.#link.call<{ once?: string }>(
      "approvals.answer",
      { grant, answer, ...(reason ? { reason } : {}) },
      { timeoutMs: 30_000 },
    ).catch((error: Error) => {
      reason ??= `the engine refused the answer: ${
        error.message.slice(0, 150)
      }`;
      return {} as { once?: string };
    });
    this.#log.info("Approval prompt answered", {
      skill: grant.skill,
      kind: grant.kind,
      answer: decision,
    });
    if (reason) return { kind: "refused", why: reason };
    if (decision === "allow_always") return { kind: "always" };
    if (decision === "allow_once" && audited.once) {
      return { kind: "once", token: audited.once };
    }
    return {
      kind: "refused",
      why: decision === "deny"
        ? "the user denied it"
        : "the user gave no answer",
    };
  }
}

/**
 * The prompt's text: only the skill id and the grant, both escaped; every
 * other word is the proxy's.
 *
 * @param need the grant
 * @returns the message
 */
export function promptMessage(need: GrantNeeded): string {
  const via = need.via
    ? ` (called by the skill ${promptQuoted(need.via.skill, 100)})`
    : "";
  return `The skill ${promptQuoted(need.skill, 100)}${via} was refused ${
    grantWords(need)
  }. ` +
    `Allow once covers only the retry of this call; always is the same as running: agentos skills allow ${
      promptText(grantCommand(need), 400)
    }`;
}

/** What the grant lets the skill do, in the proxy's words with its values quoted. */
function grantWords(need: GrantNeeded): string {
  switch (need.kind) {
    case "host":
      return `to reach the host ${promptQuoted(need.host)}`;
    case "secrets":
      return "to receive the real values of its stored credentials (instead of placeholders; its results are then not redacted)";
    case "keychain":
      return `to read the keychain item ${
        promptQuoted(need.item)
      } (a placeholder only the engine's own crypto can use, unless it also has --secrets)`;
    case "program":
      return `to run the program ${promptQuoted(need.program, 100)} (${
        promptQuoted(need.path ?? "?", 400)
      }) with no folder of yours (a private empty /tmp), no config and no network`;
    case "read":
      return `to read ${
        promptQuoted(need.path, 400)
      } (the real path, links resolved) read-only with sql.query`;
    case "credential":
      return `to use the credential stored for ${
        promptQuoted(need.domain, 253)
      } (for other skills): its requests to that domain would carry your key`;
  }
}

/** The method and params `agentos skills allow` sends for this grant. */
function allowCall(grant: GrantNeeded): [string, Record<string, unknown>] {
  switch (grant.kind) {
    case "host":
      return ["skills.allow", { skill: grant.skill, host: grant.host }];
    case "secrets":
      return ["skills.allow", { skill: grant.skill, secrets: true }];
    case "keychain":
      return ["skills.allow", { skill: grant.skill, keychain: grant.item }];
    case "program":
      // The CLI's `skills allow <skill> --run <program>` without options.
      return ["skills.allow_run", {
        skill: grant.skill,
        program: grant.program,
        path: grant.path,
        config: [],
        net: false,
      }];
    case "credential":
      return ["skills.allow", { skill: grant.skill, credential: grant.domain }];
    case "read":
      return ["skills.allow_read", {
        skill: grant.skill,
        path: grant.path,
        ...(grant.pin ? { pin: grant.pin } : {}),
      }];
    default:
      throw new Error(
        `A "${(grant as GrantNeeded).kind}" grant is not given from a prompt`,
      );
  }
}
