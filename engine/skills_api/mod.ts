/**
 * The `skills.*`, `capability.*` and `prefs.*` methods and the wiring of
 * the skill runtime: opens the catalog (`engine/skills`), the brokers
 * (`engine/broker`) and the workers (`engine/workers`) and registers their
 * methods on the engine. Receives the vault and the audit log from
 * `start_engine`.
 *
 * @module
 */
export { grantsView, skillView } from "./skill_view.ts";
export {
  registerSkillsMethods,
  type SkillsMethodsContext,
} from "./skills_methods.ts";
export { DEFAULT_SPARE_WORKERS } from "./skill_runtime.ts";
export {
  BUNDLED_SKILLS_DIR,
  openSkills,
  type SkillsOptions,
  type SkillsService,
} from "./skills_service.ts";
export {
  packagesMethods,
  type PackagesMethodsContext,
} from "./packages_methods.ts";
export {
  hostGrantMethods,
  type HostGrantMethodsContext,
} from "./host_grant_methods.ts";
export {
  type CredentialLinkContext,
  credentialLinkMethods,
} from "./credential_link_methods.ts";
export { declaringSkills, usableDomains } from "./credential_users.ts";
