/**
 * The `sql.query` op: read-only queries on a skill's own data files, run
 * by a separate runner process with caps on rows, bytes and time.
 *
 * @module
 */
export {
  DEFAULT_SQL_ROWS,
  MAX_SQL_BYTES,
  SQL_TIMEOUT_S,
  SqlBroker,
  type SqlBrokerOptions,
  type SqlOutcome,
} from "./sql_broker.ts";
export { engineFileIds } from "./engine_files.ts";
