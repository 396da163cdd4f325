/**
 * `approvals.answer {grant, answer}`: what the owner answered an MCP
 * client's approval prompt for a refused grant (#27, docs/mcp.md). Every
 * prompt's answer is written to the audit; `allow_once` gives a grant for
 * one call ({@linkcode OnceGrants}) and returns its token, which the
 * retry sends as `once` to `skills.run` or `capability.invoke`.
 * `allow_always` is written by the same method the CLI's `agentos skills
 * allow` calls (the proxy calls it); here it is only audited.
 * `approvals.resolve {grant}`: a refused program or `--read` path as the
 * prompt must show it, resolved on the host by the sandboxed probe the way
 * the CLI resolves it (`probed_grants.ts`); refused when it may not be
 * offered. `approvals.answer` resolves such a grant again and accepts it
 * only when it still resolves to the path the person was shown.
 *
 * @module
 */
import { invalidParams } from "../errors.ts";
import { isObject } from "../is_object.ts";
import { type MethodTable, type ParamReader, stringParam } from "../rpc/mod.ts";
import type { AuditSink } from "../broker/mod.ts";
import {
  declaredKeychainItems,
  GRANT_KINDS,
  grantHost,
  grantText,
  type OnceGrant,
  skillCredentialDomains,
} from "../grants/mod.ts";
import type { SkillRegistry } from "../skills/mod.ts";
import { gatedMethod } from "./gated_method.ts";
import { ONCE_TTL_MS, type OnceGrants } from "./once_grants.ts";
import {
  type ProbeContext,
  probedProgram,
  probedRead,
} from "./probed_grants.ts";

/** What the owner may answer. */
export const ANSWERS = [
  "allow_once",
  "allow_always",
  "deny",
  "no_answer",
] as const;

/** What {@linkcode approvalMethods} works with. */
export interface ApprovalMethodsContext extends ProbeContext {
  registry: SkillRegistry;
  /** Resolves once the installed skills are loaded. */
  loaded: Promise<void>;
  once: OnceGrants;
  audit?: AuditSink;
}

/**
 * The `approvals.answer` method.
 *
 * @param context the registry, the once-grants and the audit
 * @returns the method table
 */
export function approvalMethods(context: ApprovalMethodsContext): MethodTable {
  return {
    "approvals.answer": gatedMethod(() => context.loaded, {
      grant: (p, k) => onceGrant(context, p[k]),
      answer: answerParam,
      reason: (p, k) => p[k] === undefined ? undefined : stringParam(p, k, 200),
    }, async (params) => {
      const grant = await probed(context, params.grant);
      const { answer, reason } = params;
      const allowed = answer === "allow_once" || answer === "allow_always";
      const via: Record<string, string> = grant.via
        ? { via: `${grant.via.skill}.${grant.via.tool}` }
        : {};
      context.audit?.append({
        skill: grant.skill,
        tool: grant.tool,
        op: "approval.prompt",
        target: auditTarget(grant).slice(0, 300),
        status: allowed ? "ok" : "refused",
        checks: { kind: grant.kind, answer, ...via },
        ...(reason ? { reason } : {}),
      });
      if (answer !== "allow_once") return { answer };
      return {
        answer,
        once: context.once.give(grant),
        ttlMs: ONCE_TTL_MS,
      };
    }),
    "approvals.resolve": gatedMethod(() => context.loaded, {
      grant: (p, k) => onceGrant(context, p[k]),
    }, async ({ grant }) => ({ grant: await probed(context, grant, true) })),
  };
}

/** The grant in the audit: a program with the path it resolved to. */
function auditTarget(grant: OnceGrant): string {
  return grant.kind === "program"
    ? `${grantText(grant)} (${grant.path})`
    : grantText(grant);
}

/**
 * A program or `--read` grant resolved by the probe; with `fresh` false
 * (an answer), it must still resolve to the path the person was shown.
 */
async function probed(
  context: ApprovalMethodsContext,
  grant: OnceGrant,
  fresh = false,
): Promise<OnceGrant> {
  if (grant.kind !== "program" && grant.kind !== "read") return grant;
  const found = grant.kind === "program"
    ? await probedProgram(context, grant)
    : await probedRead(context, grant);
  if (!fresh && grant.kind === "program" && grant.path !== found.path) {
    throw invalidParams(
      `"${grant.program}" resolves to ${found.path}, not ${
        String(grant.path).slice(0, 200)
      }: ask the person again`,
    );
  }
  return { ...grant, ...found };
}

const answerParam: ParamReader<typeof ANSWERS[number]> = (params, key) => {
  const value = params[key];
  if (!ANSWERS.includes(value as typeof ANSWERS[number])) {
    throw invalidParams(`"answer" must be one of ${ANSWERS.join(", ")}`);
  }
  return value as typeof ANSWERS[number];
};

/** A grant as the proxy passes it back, with the outer call it came through. */
function onceGrant(context: ApprovalMethodsContext, value: unknown): OnceGrant {
  const grant = onceGrantOf(context, value);
  const via = (value as Record<string, unknown>).via;
  if (via === undefined) return grant;
  if (!isObject(via)) {
    throw invalidParams(`"grant.via" must be {skill, tool}`);
  }
  return {
    ...grant,
    via: {
      skill: context.registry.get(stringParam(via, "skill", 200)).id,
      tool: stringParam(via, "tool", 200),
    },
  };
}

/** A grant as the proxy passes it back: checked as `skills allow` checks it. */
function onceGrantOf(
  context: ApprovalMethodsContext,
  value: unknown,
): OnceGrant {
  if (!isObject(value) || !GRANT_KINDS.includes(value.kind as never)) {
    throw invalidParams(
      `"grant" must be {kind, skill, tool, …} with kind one of ${
        GRANT_KINDS.join(", ")
      }`,
    );
  }
  const skill = context.registry.get(stringParam(value, "skill", 200)).id;
  const tool = stringParam(value, "tool", 200);
  switch (value.kind) {
    case "host":
      return {
        kind: "host",
        skill,
        tool,
        host: grantHost(value.host, { skillId: skill }),
      };
    case "secrets":
      return { kind: "secrets", skill, tool };
    case "keychain":
      return {
        kind: "keychain",
        skill,
        tool,
        item: keychainItem(context, skill, value),
      };
    case "program":
      return {
        kind: "program",
        skill,
        tool,
        program: stringParam(value, "program", 100),
        ...(value.path === undefined
          ? {}
          : { path: stringParam(value, "path", 4096) }),
      };
    case "read":
      return {
        kind: "read",
        skill,
        tool,
        path: stringParam(value, "path", 4096),
      };
    case "credential":
      return {
        kind: "credential",
        skill,
        tool,
        domain: declaredDomain(context, skill, value),
      };
    default:
      throw invalidParams(
        `A "${value.kind}" grant cannot be given from a prompt; use agentos skills allow`,
      );
  }
}

/** A domain the skill's connections declare: no other credential is ever allowed. */
function declaredDomain(
  context: ApprovalMethodsContext,
  skill: string,
  value: Record<string, unknown>,
): string {
  const domain = stringParam(value, "domain", 253).toLowerCase();
  const { id, discovery } = context.registry.get(skill);
  const declared = skillCredentialDomains(id, discovery.connections)
    .filter((e) => !e.keyedBySkill).flatMap((e) => e.candidates);
  if (!declared.includes(domain)) {
    throw invalidParams(
      `Skill "${skill}" does not declare "${domain}" in its connections; only the credential of a domain it declares can be allowed`,
    );
  }
  return domain;
}

/** A keychain item the skill's readme declares: no other is ever granted. */
function keychainItem(
  context: ApprovalMethodsContext,
  skill: string,
  value: Record<string, unknown>,
): string {
  const item = stringParam(value, "item", 200);
  const declared = declaredKeychainItems(context.registry.get(skill).discovery);
  if (!declared.includes(item)) {
    throw invalidParams(
      `Skill "${skill}" does not declare the keychain item ${
        JSON.stringify(item)
      } in its readme; only a declared item can be granted`,
    );
  }
  return item;
}
