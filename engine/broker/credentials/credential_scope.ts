import { ErrorCode, RpcError } from "../../errors.ts";
import { inDomain } from "../../grants/mod.ts";

/** Where one credential may be sent. */
export type CredentialScope =
  /** The vault row's domain and its subdomains. */
  | { domain: string }
  /** A credential keyed by the skill id: the skill's declared hosts and domains. */
  | { hosts: string[]; domains: string[] };

/**
 * Whether a credential with this scope may be sent to `host`.
 *
 * @param scope where the credential may go
 * @param host the host a request goes to
 * @returns true for the scope's domain or a subdomain, or a declared host
 */
export function allowedFor(scope: CredentialScope, host: string): boolean {
  if ("domain" in scope) return inDomain(host, scope.domain);
  return scope.hosts.includes(host) ||
    scope.domains.some((domain) => inDomain(host, domain));
}

/**
 * The refusal of a credential bound for a host outside its scope.
 *
 * @param skillId the skill sending it (for the message)
 * @param loaded the credential's vault domain (never its value) and scope
 * @param host where it was bound
 * @returns a Forbidden error naming where the credential may go
 */
export function misplaced(
  skillId: string,
  loaded: { domain: string; scope: CredentialScope },
  host: string,
): RpcError {
  const where = "domain" in loaded.scope
    ? `"${loaded.scope.domain}" and its subdomains`
    : "the hosts the skill declares";
  return new RpcError(
    ErrorCode.Forbidden,
    `Skill "${skillId}" tried to send the credential for "${loaded.domain}" to host "${host}": a credential goes only to ${where}; refused`,
    { host, credential: loaded.domain, check: "credentials" },
  );
}
