/**
 * The `agentos` command line: commands that talk to the engine over its
 * socket (never to the database directly). Calls `engine/rpc`,
 * `engine/home` and `bridge` (the app token file), except that `doctor`
 * probes the sandbox with `engine/sandbox` and reads the database
 * read-only, and `doctor` and `service` find the build's parts with
 * `engine/runtime_layout`.
 *
 * @module
 */
import { auditTail, auditVerify } from "./audit_commands.ts";
import { backupCommand, restoreCommand } from "./backup_commands.ts";
import { secretsDelete, secretsList, secretsSet } from "./secrets_commands.ts";
import { bridgeOpen, bridgeToken } from "./bridge_commands.ts";
import { call } from "./call_command.ts";
import type { Command } from "./command.ts";
import { engineStart, engineStatus, engineStop } from "./engine_commands.ts";
import { graphGet, graphHistory, graphList } from "./graph_commands.ts";
import {
  graphCreate,
  graphDelete,
  graphLink,
  graphRestore,
  graphUnlink,
  graphUpdate,
} from "./graph_write_commands.ts";
import { shapesAdd, shapesGet, shapesList } from "./shapes_commands.ts";
import { mcpConfig } from "./mcp_commands.ts";
import { logsCommand } from "./logs_command.ts";
import { versionCommand } from "./version_command.ts";
import { doctor } from "./doctor_command.ts";
import {
  serviceInstall,
  serviceStatus,
  serviceUninstall,
} from "./service_commands.ts";
import { PREFS_COMMANDS } from "./prefs_commands.ts";
import { SKILLS_COMMANDS } from "./skills_commands.ts";

export { findCommand, runCli } from "./cli.ts";
export { type Command, parseCommandArgs } from "./command.ts";
export { ExitCode } from "./exit_codes.ts";

/** Every `agentos` command, in help order. */
export const COMMANDS: Command[] = [
  engineStart,
  engineStop,
  engineStatus,
  call,
  graphList,
  graphGet,
  graphCreate,
  graphUpdate,
  graphDelete,
  graphRestore,
  graphLink,
  graphUnlink,
  graphHistory,
  shapesList,
  shapesGet,
  shapesAdd,
  ...SKILLS_COMMANDS,
  ...PREFS_COMMANDS,
  backupCommand,
  restoreCommand,
  secretsSet,
  secretsList,
  secretsDelete,
  auditTail,
  auditVerify,
  mcpConfig,
  bridgeToken,
  bridgeOpen,
  serviceInstall,
  serviceUninstall,
  serviceStatus,
  doctor,
  logsCommand,
  versionCommand,
];
