import type { Graph } from "../graph/mod.ts";
import type { SkillEntry } from "./skill_entry.ts";

/**
 * Writes (upserts by `skillId`) a skill's own node, which every record it
 * returns points at with `imported_from`, and links the capabilities it
 * provides. Written as actor `system`; an unchanged skill changes nothing.
 *
 * @param graph the graph
 * @param skill the skill
 * @returns the node id
 */
export function writeSkillNode(graph: Graph, skill: SkillEntry): string {
  const provides = [
    ...new Set(skill.discovery.tools.flatMap((tool) => tool.provides)),
  ].sort();
  const record: Record<string, unknown> = {
    skillId: skill.id,
    name: skill.name,
    summary: skill.description || null,
    path: skill.dir,
    tools: skill.discovery.tools.map((tool) => tool.name),
    enabled: skill.enabled,
    installedAt: skill.addedAt,
  };
  if (provides.length > 0) record.provides = provides.map((name) => ({ name }));
  const { value } = graph.store.write(
    "system",
    (tx) => graph.writer.write(tx, "skill", record),
  );
  return value.id!;
}
