/**
 * What is installed: skills discovered by parsing their source in the
 * sandbox, the registry and its snapshots, owner grants, the egress set a
 * skill declares, credential domains, settings and each skill's node in the
 * graph. Calls `engine/sandbox`, `engine/graph`, `engine/net`.
 *
 * @module
 */
export {
  type CredentialDomains,
  credentialDomains,
  inDomain,
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
export { SettingsStore } from "./settings_store.ts";
export { findTool } from "./find_tool.ts";
export { declaredUses } from "./capability_uses.ts";
export {
  type CheckedProblem,
  type CheckOptions,
  checkSkill,
  type Severity,
  type ShapeFacts,
} from "./skill_checks.ts";
export {
  type ConnectionInfo,
  type Discovery,
  type ParamInfo,
  type Problem,
  readSkillDir,
  type SkillFiles,
  type ToolInfo,
} from "./skill_discovery.ts";
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
export { writeSkillNode } from "./skill_node.ts";
export {
  type AddedSkill,
  SKILL_ID_PATTERN,
  type SkillEntry,
  SkillRegistry,
  type SkillRegistryOptions,
} from "./skill_registry.ts";
export {
  declaredRequirements,
  type InstallOptions,
  installPackages,
  missingPackages,
  type PackageLock,
  type PackageState,
  packageState,
} from "./skill_packages.ts";
export {
  declaredPrograms,
  expandHome,
  isCleanAbsolute,
  isInterpreter,
  NEVER_RUNNABLE,
  PROGRAM_DIRS,
  type RunGrant,
  RunGrantStore,
} from "./run_grants.ts";
export { grantedPath, type ReadGrants, ReadGrantStore } from "./read_grants.ts";
export { KNOWN_NEEDS, unavailableTools } from "./runtime_checks.ts";
