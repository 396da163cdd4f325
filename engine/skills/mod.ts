/**
 * What is installed: skills discovered by parsing their source in the
 * sandbox, the registry and its snapshots, the checks
 * and runtime needs of a skill, its packages and its node in the graph.
 * Reads the owner's grants from `engine/grants`. Calls `engine/sandbox`,
 * `engine/graph`, `engine/grants`.
 *
 * @module
 */
export { findTool } from "./find_tool.ts";
export { refuseBadUrlPatterns } from "./url_pattern_checks.ts";
export { declaredUses } from "./capability_uses.ts";
export {
  type CheckedProblem,
  type CheckOptions,
  checkSkill,
  type Severity,
  type ShapeFacts,
  testLeavesOut,
} from "./skill_checks.ts";
export {
  expectProblems,
  returnedRecords,
  unmetExpectations,
} from "./test_expect.ts";
export { templateProblems, type TemplateRule } from "./template_check.ts";
export {
  type ConnectionInfo,
  type Discovery,
  type ParamInfo,
  type Problem,
  readSkillDir,
  type SkillFiles,
  type ToolInfo,
} from "./skill_discovery.ts";
export { writeSkillNode } from "./skill_node.ts";
export { SKILL_ID_PATTERN, type SkillEntry } from "./skill_entry.ts";
export {
  type AddedSkill,
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
  skillRequirements,
} from "./skill_packages.ts";
export {
  distributionOf,
  IMPORT_DISTRIBUTIONS,
  inferredRequirements,
} from "./package_inference.ts";
export { KNOWN_NEEDS, unavailableTools } from "./runtime_checks.ts";
