/**
 * The MCP SDK, imported in one place. The SDK's wildcard export (`./*`)
 * maps `types.js` to `dist/esm/types.js.d.ts` for types, which does not
 * exist, so Deno would type such imports as `any`; `@ts-types` points the
 * type checker at the right declarations while the runtime import keeps
 * its `.js` path.
 *
 * @module
 */
export { Server } from "@modelcontextprotocol/sdk/server";
export { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
export type { Transport } from "@modelcontextprotocol/sdk/shared/transport";
// @ts-types="@modelcontextprotocol/sdk/types"
export * from "@modelcontextprotocol/sdk/types.js";
