/**
 * Counters behind `GET /sim/stats` and `stats()`: tests assert on them (how many requests reached the
 * upstream, which faults fired, what is still in flight) instead of guessing from timing.
 */
export interface SimulatorStats {
  /** Chat-completion requests received (including rejected ones). */
  requests: number;
  /** Chat-completion requests whose handling has not finished. */
  inFlight: number;
  running: number;
  waiting: number;
  /** Requests answered completely (success responses and error responses alike). */
  completed: number;
  /** Final HTTP status of chat-completion responses; "incomplete" when the connection ended first. */
  byStatus: Record<string, number>;
  /** Faults applied, by kind. */
  byFault: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
  /** The process-level fault in text syntax, or null. */
  fault: string | null;
}

/** Mutable counters; `snapshot` adds the live figures. */
export interface StatsRecorder {
  requestStarted(): void;
  requestEnded(status: string): void;
  faultApplied(kind: string): void;
  tokens(prompt: number, completion: number): void;
  snapshot(live: { running: number; waiting: number; fault: string | null }): SimulatorStats;
}

export function createStatsRecorder(): StatsRecorder {
  let requests = 0;
  let inFlight = 0;
  let completed = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  const byStatus: Record<string, number> = {};
  const byFault: Record<string, number> = {};
  return {
    requestStarted() {
      requests += 1;
      inFlight += 1;
    },
    requestEnded(status) {
      inFlight -= 1;
      if (status !== 'incomplete') completed += 1;
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    },
    faultApplied(kind) {
      byFault[kind] = (byFault[kind] ?? 0) + 1;
    },
    tokens(prompt, completion) {
      promptTokens += prompt;
      completionTokens += completion;
    },
    snapshot: (live) => ({
      requests,
      inFlight,
      running: live.running,
      waiting: live.waiting,
      completed,
      byStatus: { ...byStatus },
      byFault: { ...byFault },
      promptTokens,
      completionTokens,
      fault: live.fault,
    }),
  };
}
