/**
 * The graph: nodes, edges and typed values in one SQLite file, with shape
 * memberships, an append-only change log, full-text search and the observer
 * feed. The engine is its only writer. Calls `engine/shapes` and
 * `engine/rpc`.
 *
 * @module
 */
export { BUILTIN_SHAPES_DIR, type Graph, openGraph } from "./graph_service.ts";
export {
  type CommitListener,
  type EdgeView,
  GraphStore,
  type NodeView,
} from "./graph_store.ts";
export type { ChangeEvent } from "./change_log.ts";
export { GraphTx } from "./graph_tx.ts";
export { ChangeFeed, type ObserverEvent } from "./change_feed.ts";
export { listNodes, type ListQuery } from "./graph_query.ts";
export {
  liveShapeCounts,
  type ShapeHeading,
  shapeHeading,
} from "./shape_summary.ts";
export { RecordWriter, type RecordWriteResult } from "./record_writer.ts";
export { openDatabase, SCHEMA_VERSION, SchemaTooNewError } from "./schema.ts";
export { SettingsStore } from "./settings_store.ts";
export { backupDatabase, type BackupInfo, verifyDatabase } from "./backup.ts";
