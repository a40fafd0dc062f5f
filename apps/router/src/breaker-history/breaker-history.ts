import type { BreakerState } from '../target-breakers.ts';

/** One breaker state change as recorded. */
export interface BreakerTransitionRecord {
  readonly target: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** Epoch ms. */
  readonly atMs: number;
}

/** How long and how much history is kept. */
export interface BreakerHistoryRetention {
  /** Transitions older than this are dropped. */
  readonly maxAgeMs: number;
  /** At most this many transitions are kept (the newest). */
  readonly maxEntries: number;
}

/** The most transitions GetBreakers returns. */
export const BREAKER_HISTORY_READ_LIMIT = 100;

/**
 * The router's durable breaker transition log, so operators see what happened while nobody was
 * watching and across restarts: the embedded SQLite file by default, Redis when shared. `record`
 * never throws (a write that fails is reported through the store's `onError` and dropped — a breaker
 * must never fail a request because its history could not be written).
 */
export interface BreakerHistory {
  record(transition: BreakerTransitionRecord): void;
  /** Newest first, at most `limit`, none older than the retention. */
  recent(limit: number, nowMs: number): Promise<BreakerTransitionRecord[]>;
}

const STATES: ReadonlySet<string> = new Set<BreakerState>(['closed', 'open', 'half_open']);

/** A stored state name back as a BreakerState; undefined for anything else (a damaged entry). */
export function parseBreakerState(value: unknown): BreakerState | undefined {
  return typeof value === 'string' && STATES.has(value) ? (value as BreakerState) : undefined;
}
