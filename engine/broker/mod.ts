/**
 * Every op a worker may dispatch, one folder per op family: `http/`
 * (egress, address guard, pinned connector, origin map, tape),
 * `credentials/` (placeholders, substitution, redaction), `sql/`,
 * `capability/`. `dispatch_ops.ts` checks each dispatch against what the
 * skill declared, performs it, audits it and answers. Calls `engine/skills`
 * (the catalog), `engine/net`, `engine/audit` (its entry type).
 *
 * @module
 */
export {
  auditReason,
  type CallDispatchHandler,
  type DispatchHandler,
  dispatchHandler,
  MAX_AUDIT_LINES_PER_CALL,
} from "./dispatch_ops.ts";
export {
  type AuditSink,
  type DispatchContext,
  type NestedCapabilityCall,
} from "./dispatch_context.ts";
export * from "./http/mod.ts";
export * from "./credentials/mod.ts";
export * from "./sql/mod.ts";
export * from "./capability/mod.ts";
export * from "./crypto/mod.ts";
export * from "./shell/mod.ts";
