/**
 * Shared by the elicitation tests: a skill written to a folder, every log
 * of a home joined, the bridge page filled by headless Chromium, and a
 * session declaring form elicitation with its scripted answers.
 */
import {
  ElicitRequestSchema,
  type ElicitResult,
  // @ts-types="@modelcontextprotocol/sdk/types"
} from "@modelcontextprotocol/sdk/types.js";
import type { Browser } from "./_browser.ts";
import { McpSession } from "./mcp_session.ts";

/**
 * Writes a skill (readme and tools.py) under `dir`.
 *
 * @param dir the skills folder
 * @param id the skill id
 * @param source its tools.py
 * @param frontMatter more front matter lines, e.g. `capabilities: [http]\n`
 * @returns the skill's folder
 */
export async function writeSkill(
  dir: string,
  id: string,
  source: string,
  frontMatter = "",
): Promise<string> {
  const path = `${dir}/${id}`;
  await Deno.mkdir(path, { recursive: true });
  await Deno.writeTextFile(
    `${path}/readme.md`,
    `---\nid: ${id}\nname: ${id}\ndescription: A skill of the elicitation tests\n${frontMatter}---\n\n# ${id}\n`,
  );
  await Deno.writeTextFile(`${path}/tools.py`, source);
  return path;
}

/**
 * Every file under the home's logs/ (mcp.log, engine.log, the audit), joined.
 *
 * @param home the AgentOS home
 * @returns their text
 */
export async function allLogs(home: string): Promise<string> {
  let text = "";
  for await (const entry of Deno.readDir(`${home}/logs`)) {
    if (entry.isFile) {
      text += await Deno.readTextFile(`${home}/logs/${entry.name}`);
    }
  }
  return text;
}

/**
 * Opens a credential link in the browser, types `key` and saves, as the
 * person does after consenting.
 *
 * @param browser headless Chromium
 * @param url the link
 * @param key what the person types
 * @param onPage receives the form's text before it is filled
 */
export async function fillCredentialPage(
  browser: Browser,
  url: string,
  key: string,
  onPage?: (text: string) => void,
): Promise<void> {
  await browser.open(url);
  await browser.waitFor("input[name=key]");
  onPage?.(
    await browser.evaluate<string>(`document.querySelector("#form").innerText`),
  );
  await browser.evaluate(
    `document.querySelector("input[name=key]").value = ${
      JSON.stringify(key)
    }; document.querySelector("#save").click()`,
  );
  await browser.waitFor("#stored");
}

/** How a test answers each approval prompt. */
export type Answer = () => ElicitResult | Promise<ElicitResult>;

/**
 * A session declaring form elicitation that answers each prompt with
 * `answer`, and the prompts it was sent.
 *
 * @param home the AgentOS home
 * @param answer the scripted answer
 * @param env more environment for the proxy
 */
export async function formSession(
  home: string,
  answer: Answer,
  env: Record<string, string> = {},
): Promise<
  { session: McpSession; asked: { message: string; mode?: string }[] }
> {
  const session = await McpSession.open(home, {
    capabilities: { elicitation: { form: {} } },
    env,
  });
  const asked: { message: string; mode?: string }[] = [];
  session.client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params as { message: string });
    return await answer();
  });
  return { session, asked };
}

/** Accepts the form with this decision (`allow_once`, `allow_always`, `deny`). */
export const choose = (decision: string): Answer => () => ({
  action: "accept",
  content: { decision },
});
