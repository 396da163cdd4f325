/**
 * Every op a worker may dispatch, one folder per op family: `http/`
 * (egress, address guard, pinned connector, origin map, tape),
 * `credentials/` (placeholders, substitution, redaction), `sql/`,
 * `capability/`, `crypto/`, `shell/`. `dispatch_ops.ts` serves each
 * dispatch: `serve_op.ts` picks the op's server (`op_servers.ts`), which
 * checks what the skill declared and performs it; `dispatch_audit.ts`
 * audits it; the answer goes back redacted. Calls `engine/skills`
 * (the catalog), `engine/net`, `engine/audit` (its entry type).
 *
 * @module
 */
export {
  type CallDispatchHandler,
  type DispatchHandler,
  dispatchHandler,
} from "./dispatch_ops.ts";
export { auditReason, MAX_AUDIT_LINES_PER_CALL } from "./dispatch_audit.ts";
export { MAX_LOG_CHARS } from "./dispatch_notes.ts";
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
