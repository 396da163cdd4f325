/**
 * The audit trail: `logs/engine-io.jsonl`, one hash-chained line per
 * brokered operation, and the chain's head kept in the graph database.
 * Calls no other subsystem (it is handed the database connection).
 *
 * @module
 */
export {
  type AuditEntry,
  type AuditLine,
  AuditLog,
  type AuditVerification,
  verifyAuditLog,
} from "./audit_log.ts";
export { type AuditHead, AuditHeadStore, readAuditHead } from "./audit_head.ts";
