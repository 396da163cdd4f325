/**
 * The files `agentos skills new` writes: a skill that passes
 * `agentos skills validate` as written and whose one test passes offline
 * against the recording beside it.
 *
 * @module
 */
import { SKILL_ID_PATTERN } from "../engine/skills/mod.ts";

/** Skill ids `skills new` accepts: the registry's rule, the one `skills add` applies. */
export const NEW_SKILL_ID = SKILL_ID_PATTERN;

/**
 * The scaffold's files by relative path.
 *
 * @param id the skill id, e.g. `my-skill`
 * @returns the files' text by path
 */
export function scaffoldFiles(id: string): Record<string, string> {
  const module = id.replaceAll("-", "_");
  const title = id.split(/[-_]+/).filter((w) => w !== "")
    .map((w) => w[0]!.toUpperCase() + w.slice(1)).join(" ");
  const recording = {
    agentos_recording: 1,
    skill: id,
    recorded_at: "2026-01-01T00:00:00.000Z",
    exchanges: [{
      request: {
        method: "GET",
        url: "https://api.example.com/search?q=tea",
      },
      response: {
        status: 200,
        ok: true,
        url: "https://api.example.com/search?q=tea",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          results: [{
            title: "All about tea",
            link: "https://example.com/tea",
            snippet: "Green, black and everything in between.",
          }],
        }),
      },
    }],
  };
  return {
    "readme.md": `---
id: ${id}
name: ${title}
description: Searches an example API and returns the pages it finds
---

# ${title}

Searches \`https://api.example.com\` (replace it with your API in
\`${module}.py\`) and returns each hit as a \`webpage\` record.

    agentos skills validate .              # static checks, file:line each
    agentos skills add .                   # install (again after each edit)
    agentos skills test ${id} --replay fixtures/search.recording.json
    agentos skills run ${id} search '{"query": "tea"}'
`,
    [`${module}.py`]: `"""${title}: search an API and return webpages."""

from agentos import client, connection, returns, test

# Every request of this skill goes to this host; the engine refuses others.
connection("api", base_url="https://api.example.com", label="Example API")


@returns("webpage[]")
@test(params={"query": "tea"})
async def search(query: str, limit: int = 10, **params):
    """Search the API and return the pages it finds.

    Args:
        query: What to look for.
        limit: How many results to return at most.
    """
    resp = await client.get("/search", params={"q": query})
    if not resp["ok"]:
        raise RuntimeError(f"The API answered HTTP {resp['status']}")
    return [
        {"name": hit["title"], "url": hit["link"], "summary": hit.get("snippet")}
        for hit in resp["json"]["results"][:limit]
    ]
`,
    "fixtures/search.recording.json": JSON.stringify(recording, null, 2) +
      "\n",
  };
}
