import { didYouMean } from "../closest_word.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import type { ToolInfo } from "./skill_discovery.ts";
import type { SkillEntry } from "./skill_entry.ts";

/**
 * The tool of a skill by name.
 *
 * @param skill the skill
 * @param name the tool name
 * @returns the tool
 * @throws {RpcError} NotFound
 */
export function findTool(skill: SkillEntry, name: string): ToolInfo {
  const tool = skill.discovery.tools.find((t) => t.name === name);
  if (!tool) {
    throw new RpcError(
      ErrorCode.NotFound,
      `Skill "${skill.id}" has no tool "${name}"${
        didYouMean(name, skill.discovery.tools.map((t) => t.name))
      }; its tools: ${
        skill.discovery.tools.map((t) => t.name).join(", ") || "(none)"
      }`,
    );
  }
  return tool;
}
