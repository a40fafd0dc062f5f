/**
 * What each target has recently done for everyone: when it last produced a first event, and the
 * send time of the newest attempt it answered. Lets the router tell a target that is busy (a burst:
 * it keeps answering, in turn) from one that is failing (silent to everyone) or that dropped this
 * one request (it answered requests sent well after it) — without asking the target anything.
 */
export interface TargetActivity {
  /** An attempt of `key` sent at `startedAt` produced its first event at `at` (epoch ms). */
  opened(key: string, startedAt: number, at: number): void;
  /** When `key` last produced a first event for any request (epoch ms; 0 = never). */
  lastFirstEventAt(key: string): number;
  /**
   * How an attempt of `key` sent at `startedAt`, still without a first event at `now`, stands after
   * `windowMs`: `overtaken` when the target answered an attempt sent more than `windowMs` after it
   * (this one was dropped or is stuck); `busy` when it produced a first event for another request
   * since this one was sent and within the last `windowMs` (it is working through a queue);
   * otherwise `silent`.
   */
  standing(key: string, startedAt: number, windowMs: number, now: number): 'overtaken' | 'busy' | 'silent';
}

/** An in-memory {@link TargetActivity}: one entry per catalog target (a bounded set), learned signals only. */
export function createTargetActivity(): TargetActivity {
  const lastFirst = new Map<string, number>();
  const newestOpenedSentAt = new Map<string, number>();
  return {
    opened(key, startedAt, at) {
      lastFirst.set(key, Math.max(lastFirst.get(key) ?? 0, at));
      newestOpenedSentAt.set(key, Math.max(newestOpenedSentAt.get(key) ?? 0, startedAt));
    },
    lastFirstEventAt: (key) => lastFirst.get(key) ?? 0,
    standing(key, startedAt, windowMs, now) {
      if ((newestOpenedSentAt.get(key) ?? 0) > startedAt + windowMs) return 'overtaken';
      const last = lastFirst.get(key) ?? 0;
      return last > startedAt && last > now - windowMs ? 'busy' : 'silent';
    },
  };
}
