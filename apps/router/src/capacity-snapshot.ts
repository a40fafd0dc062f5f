/** The GPU pool's load as last polled (InferenceService.GetCapacity); never fetched on the request path. */
export interface CapacitySnapshot {
  readonly healthyEndpoints: number;
  readonly totalRunning: number;
  readonly totalWaiting: number;
  /** Epoch ms of the poll. */
  readonly at: number;
}
