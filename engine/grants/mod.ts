/**
 * The owner's grants and what a skill may reach: hosts (host_grant), the
 * egress set its declaration implies (egress), the credential domains of
 * its connections, programs it may run (run_grants), folders it may read
 * (read_grants), real secrets (secrets_grants), keychain items
 * (keychain_grants), and the store that keeps a
 * skill's grants across re-adds (skill_grants). Reads a skill's declaration
 * through the structural `DeclaredSkill`, never the catalog's code. Calls
 * `engine/graph` (settings), `engine/net`.
 *
 * @module
 */
export type { DeclaredConnection, DeclaredSkill } from "./declared_skill.ts";
export {
  type CredentialDomains,
  credentialDomains,
  inDomain,
  isPublicSuffix,
  registrableDomain,
  skillCredentialDomains,
} from "./credential_domains.ts";
export {
  bundledGrantDefaults,
  checkEgress,
  declaredNeeds,
  type EgressDecision,
  type EgressPolicy,
  egressPolicy,
  type EgressSubject,
  grantSuggestion,
  OPEN_WEB,
  urlHost,
} from "./egress.ts";
export {
  type GrantDefaults,
  type SkillGrants,
  SkillGrantStore,
} from "./skill_grants.ts";
export {
  grantHost,
  grantHostFor,
  type GrantHostOptions,
  type GrantMatch,
  matchGrant,
  portsFor,
  privateByName,
  urlPort,
  withPort,
} from "./host_grant.ts";
export { SecretsGrants } from "./secrets_grants.ts";
export {
  type CallSite,
  GRANT_KINDS,
  type GrantNeed,
  grantNeedOf,
  grantRefusal,
  grantText,
  type NestedOnce,
  type OnceGrant,
  withGrantNeed,
} from "./grant_need.ts";
export {
  type CredentialRefusal,
  credentialRefusalOf,
  withCredentialRefusal,
} from "./credential_refusal.ts";
export {
  declaredKeychainItems,
  KeychainGrantStore,
} from "./keychain_grants.ts";
export {
  declaredPrograms,
  expandHome,
  isCleanAbsolute,
  isInterpreter,
  MAX_GRANT_WRITE_BYTES,
  NEVER_RUNNABLE,
  PROGRAM_DIRS,
  programInDirs,
  type RunGrant,
  RunGrantStore,
} from "./run_grants.ts";
export {
  PROGRAM_RULE_ENV,
  PROGRAM_RULES,
  type ProgramRule,
} from "./program_rules.ts";
export { type ArgumentRefusal, refusedArgument } from "./program_args.ts";
export {
  HOST_PROGRAM_FILES,
  interpreterPaths,
  type ProgramFileFacts,
  programFileRefusal,
  programFileRefusalAt,
  type ProgramFiles,
  ProgramRefusedError,
  resolveProgramFile,
} from "./program_file.ts";
export {
  type GrantedPath,
  grantedPath,
  type ReadGrants,
  ReadGrantStore,
} from "./read_grants.ts";
export {
  deputyRefusal,
  holdsLocalGrants,
  type LocalGrants,
  missingLocalGrants,
} from "./local_grants.ts";
