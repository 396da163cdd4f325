/**
 * The audit trail: `logs/engine-io.jsonl`, one hash-chained line per
 * brokered operation. Calls no other subsystem.
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
