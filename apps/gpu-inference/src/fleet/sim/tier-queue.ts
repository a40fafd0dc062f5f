// Requests of one tier waiting for GPU capacity while serverless is down, oldest first. Each minute
// the pool's output-token capacity serves the queue in order (a partly served entry splits
// proportionally); what has waited longer than the deadline is dropped as unserved.

/** Demand that arrived in one minute and is not served yet. */
export interface QueuedDemand {
  readonly minute: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

/** What one minute of serving did. */
export interface ServeOutcome {
  readonly served: { requests: number; promptTokens: number; completionTokens: number };
  readonly expiredRequests: number;
}

/** A FIFO of waiting demand for one tier. */
export class TierQueue {
  private readonly entries: QueuedDemand[] = [];

  /** Requests waiting now. */
  get waitingRequests(): number {
    return this.entries.reduce((s, e) => s + e.requests, 0);
  }

  push(entry: QueuedDemand): void {
    if (entry.requests > 0) this.entries.push(entry);
  }

  /** Removes everything (serverless came back and takes it). */
  drain(): QueuedDemand[] {
    return this.entries.splice(0);
  }

  /**
   * Serves up to `capacityTokens` completion tokens in order, then drops entries that arrived more
   * than `maxWaitMinutes` before `minute` (they cannot be served within their deadline any more).
   */
  serve(minute: number, capacityTokens: number, maxWaitMinutes: number): ServeOutcome {
    const served = { requests: 0, promptTokens: 0, completionTokens: 0 };
    let left = capacityTokens;
    while (this.entries.length > 0 && left > 0) {
      const e = this.entries[0]!;
      const share = e.completionTokens <= left ? 1 : left / e.completionTokens;
      const part = { requests: e.requests * share, promptTokens: e.promptTokens * share, completionTokens: e.completionTokens * share };
      served.requests += part.requests;
      served.promptTokens += part.promptTokens;
      served.completionTokens += part.completionTokens;
      left -= part.completionTokens;
      if (share === 1) this.entries.shift();
      else {
        e.requests -= part.requests;
        e.promptTokens -= part.promptTokens;
        e.completionTokens -= part.completionTokens;
      }
    }
    let expiredRequests = 0;
    while (this.entries.length > 0 && this.entries[0]!.minute < minute - maxWaitMinutes + 1) expiredRequests += this.entries.shift()!.requests;
    return { served, expiredRequests };
  }
}
