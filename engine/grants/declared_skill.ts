/**
 * What the owner's grants read of a skill's declaration: a structural part
 * of the catalog's `Discovery`, so that grants depend on no catalog code
 * (engine/skills reads the grants, never the reverse).
 *
 * @module
 */

/** A connection as the skill's source declares it. */
export interface DeclaredConnection {
  name: string;
  base_url: string | null;
  domain: string | null;
  auth?: unknown;
}

/** The parts of a skill's description that grants and egress are decided on. */
export interface DeclaredSkill {
  front_matter: Record<string, unknown>;
  connections: DeclaredConnection[];
  url_literals: string[];
}
