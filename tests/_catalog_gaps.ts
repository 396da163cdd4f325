/**
 * The catalog-style fixtures of issue 26's gaps (tests/fixtures/catalog-gaps)
 * and the verdict each gets, shared by the runs that prove it
 * (tests/catalog_gaps_test.ts, tests/catalog_deps_test.ts) and by the
 * static check that must agree with them (tests/catalog_check_test.ts).
 *
 * @module
 */
import { REPO_ROOT } from "./_task_command.ts";

/** Where the gap fixtures live. */
export const GAPS_CATALOG = `${REPO_ROOT}tests/fixtures/catalog-gaps`;

/**
 * Each fixture's verdict from `catalog-check` on this host: `clear` means
 * it runs unchanged once the owner's grants are given; `blocked` means it
 * fails until the named step (its packages) is taken.
 */
export const GAP_VERDICTS: Record<string, "clear" | "blocked"> = {
  "repo-notes": "clear", // gap 1: programs found by the source scan
  "page-outline": "clear", // gap 2: guarded imports are optional
  "flight-times": "clear", // gap 3: the zone database and TZ
  "quote-board": "clear", // gap 4: a @test that cannot run is skipped
  "yaml-config": "blocked", // gap 5: runs after `agentos skills deps`
  "token-echo": "clear", // gap 6: a placeholder in the result is explained
  "home-cache": "clear", // gap 7: HOME is a private empty directory
};

/** The path of one gap fixture. */
export function gapFixture(name: keyof typeof GAP_VERDICTS | string): string {
  return `${GAPS_CATALOG}/${name}`;
}
