/**
 * What every figure of the bench is given: the run's options, its figures
 * and the shared engine.
 *
 * @module
 */
import type { EngineProcess } from "../../tests/_engine_process.ts";
import type { RpcClient } from "../../engine/rpc/mod.ts";
import type { Figures } from "./figures.ts";

/** The run a figure is measured in. */
export interface BenchContext {
  /** `--quick`: smaller runs. */
  quick: boolean;
  /** Where figures are recorded. */
  figures: Figures;
  /** The engine started for the run (figures that need their own start it). */
  engine: EngineProcess;
  /** A client of {@linkcode engine}. */
  client: RpcClient;
}
