import { resolveHome } from "../engine/mod.ts";
import {
  makeOpenCode,
  OPEN_CODE_TTL_S,
  parsePort,
  readOrCreateTokenSync,
  rotateTokenSync,
  TOKEN_FILE,
} from "../bridge/mod.ts";
import type { Command } from "./command.ts";
import { ExitCode } from "./exit_codes.ts";
import { print, printJson } from "./output.ts";

/** `agentos bridge token`. */
export const bridgeToken: Command = {
  name: "bridge token",
  summary: "Print the bridge's app token (creating it), or rotate it",
  usage: "bridge token [--rotate] [--json]",
  help: `Options:
  --rotate  Replace the token; apps holding the old one get 401 from the next request
  --json    Print {"token", "path"} instead of the bare token

Apps on another origin send the token as "Authorization: Bearer <token>";
every request to the bridge but the explorer page and the SDK needs it, reads
included (any local user can reach 127.0.0.1). It lives
in $AGENTOS_HOME/${TOKEN_FILE} (mode 0600) and works without the engine.

Example:
  curl -H "Authorization: Bearer $(agentos bridge token)" \\
    -H "Content-Type: application/json" -d '{}' http://127.0.0.1:3456/capability/llm`,
  options: {
    rotate: { type: "boolean" },
    json: { type: "boolean" },
  },
  run({ values }) {
    const path = `${resolveHome().home}/${TOKEN_FILE}`;
    const token = values.rotate
      ? rotateTokenSync(path)
      : readOrCreateTokenSync(path);
    if (values.json) printJson({ token, path });
    else print(token);
    return Promise.resolve(ExitCode.Ok);
  },
};

/** `agentos bridge open`. */
export const bridgeOpen: Command = {
  name: "bridge open",
  summary: "Print a one-time link that opens the graph explorer",
  usage: "bridge open [--json]",
  help:
    `Prints http://127.0.0.1:<port>/?open=<code>. Open it in your browser: the
page trades the code for the app token once and keeps it for that tab. The
code works once, for ${OPEN_CODE_TTL_S} seconds, and only the owner of
$AGENTOS_HOME/${TOKEN_FILE} can make one (it is an HMAC under the token), so
another local user who sees the link cannot use it after you did. The port
is $AGENTOS_BRIDGE_PORT (default 3456).

Options:
  --json  Print {"url", "expiresInSeconds"}`,
  options: { json: { type: "boolean" } },
  async run({ values }) {
    const token = readOrCreateTokenSync(`${resolveHome().home}/${TOKEN_FILE}`);
    const port = parsePort(Deno.env.get("AGENTOS_BRIDGE_PORT"));
    const url = `http://127.0.0.1:${port}/?open=${await makeOpenCode(token)}`;
    if (values.json) printJson({ url, expiresInSeconds: OPEN_CODE_TTL_S });
    else print(url);
    return ExitCode.Ok;
  },
};
