import { resolveHome } from "../engine/mod.ts";
import {
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

export { bridgeOpen } from "./bridge_open_command.ts";
