import type { DecayedAdd, RunawayCounterStore } from './runaway-counter-store.ts';

/**
 * Thresholds of runaway protection. Every threshold is a ratio to the caller's own history, never
 * an absolute number tuned to a test; the floors only keep a quiet caller going to a modest rate
 * from counting as a runaway.
 */
export interface RunawayOptions {
  /** Short horizon of the current rate (decay time constant). @default 10000 */
  readonly shortMs?: number;
  /** Long horizon of the baseline. @default 600000 */
  readonly baselineMs?: number;
  /** Request rate (per minute) below which a key or tenant is never a runaway; 0 = no request-rate signal. @default 60 */
  readonly floorPerMinute?: number;
  /** Short horizon of the current spend: longer than `shortMs`, so one expensive answer alone is not a spike. @default 20000 */
  readonly spendShortMs?: number;
  /** Spend rate (USD per minute) below which a key or tenant is never a runaway; 0 = no spend signal. @default 1 */
  readonly spendFloorUsdPerMinute?: number;
  /**
   * Horizon of the long spend baseline: the ~10-minute spend rate is also judged against this
   * (the rate before that window), so a climb too slow for the short signal does not quietly become
   * the new normal. @default 86400000
   */
  readonly longBaselineMs?: number;
  /** Current / max(baseline, floor) at which requests are slowed. @default 5 */
  readonly slowRatio?: number;
  /** … and at which they are stopped. @default 20 */
  readonly stopRatio?: number;
  /** Identical prompts (decayed count over `shortMs`) at which a key is slowed; twice this stops it. @default 5 */
  readonly repeatsToSlow?: number;
  /**
   * What repeats do: `enforce` slows and stops as above; `detect` only reports them (a load test
   * re-sends one prompt on purpose, and only its spend tells it from a loop); `off` ignores them.
   * @default 'enforce'
   */
  readonly repeats?: 'enforce' | 'detect' | 'off';
  /** How long a stop lasts: requests in that time are refused without being counted. @default 60000 */
  readonly stopMs?: number;
}

/** Who is asking: the key and the tenant are judged each against its own baseline. */
export interface RunawayCaller {
  readonly tenant: string;
  readonly keyId: string;
}

/** What to do with one request, and which scope's behaviour decided it. */
export type RunawayVerdict =
  | { readonly action: 'pass' }
  | { readonly action: 'detect'; readonly scope: 'key'; readonly why: string }
  | { readonly action: 'slow'; readonly delayMs: number; readonly scope: 'key' | 'tenant'; readonly why: string }
  | { readonly action: 'stop'; readonly scope: 'key' | 'tenant'; readonly why: string; readonly retryAfterMs: number };

/** Judges requests and learns spend; state in a {@link RunawayCounterStore} (shared across replicas). */
export interface RunawayDetector {
  /** Counts one request of `caller` with prompt fingerprint `fingerprint` and judges it. */
  observe(caller: RunawayCaller, fingerprint: string, nowMs: number): Promise<RunawayVerdict>;
  /** Adds what an answered request cost (known only when it ends; it weighs on the caller's next requests). */
  recordSpend(caller: RunawayCaller, usd: number, nowMs: number): Promise<void>;
}

type Finding = { action: 'detect' | 'slow' | 'stop'; scope: 'key' | 'tenant'; amount: number; why: string };

const SCOPES = ['key', 'tenant'] as const;

/** A detector over `store`; with Redis every replica sees every request and every dollar. */
export function createRunawayDetector(store: RunawayCounterStore, options: RunawayOptions = {}): RunawayDetector {
  const shortMs = options.shortMs ?? 10_000;
  const baselineMs = options.baselineMs ?? 600_000;
  const floorPerMs = (options.floorPerMinute ?? 60) / 60_000;
  const spendShortMs = options.spendShortMs ?? 20_000;
  const spendFloorPerMs = (options.spendFloorUsdPerMinute ?? 1) / 60_000;
  const longMs = options.longBaselineMs ?? 86_400_000;
  const repeatMode = options.repeats ?? 'enforce';
  const slowRatio = options.slowRatio ?? 5;
  const stopRatio = options.stopRatio ?? 20;
  const repeatsToSlow = options.repeatsToSlow ?? 5;
  const stopMs = options.stopMs ?? 60_000;
  // A stop is a latch decaying from 1 to ½ in stopMs: stopped while it reads ≥ ½.
  const latchTauMs = stopMs / Math.LN2;
  const stoppedAt = 0.5;
  const prefix = (scope: 'key' | 'tenant', caller: RunawayCaller): string => (scope === 'key' ? `k:${caller.keyId}:` : 't:');

  const judge = (scope: 'key' | 'tenant', signal: string, ratio: number, against = 'its baseline'): Finding | undefined => {
    const who = scope === 'key' ? 'this API key' : 'this tenant';
    if (ratio >= stopRatio) return { action: 'stop', scope, amount: ratio, why: `${who}'s ${signal} is ${ratio.toFixed(1)}× ${against}` };
    if (ratio >= slowRatio) return { action: 'slow', scope, amount: ratio, why: `${who}'s ${signal} is ${ratio.toFixed(1)}× ${against}` };
    return undefined;
  };

  return {
    async observe(caller, fingerprint, nowMs) {
      // A stopped key or tenant stays stopped for stopMs, and its refused requests are not counted:
      // a client hammering through its stop must not teach the baseline that hammering is normal.
      // The stop latches guard the counting: one atomic step of the store per request.
      const latches = SCOPES.map((scope) => ({ key: `${prefix(scope, caller)}stop`, tauMs: latchTauMs, amount: 0 }));
      const adds: DecayedAdd[] = SCOPES.flatMap((scope) => [
        { key: `${prefix(scope, caller)}rs`, tauMs: shortMs, amount: 1 },
        { key: `${prefix(scope, caller)}rl`, tauMs: baselineMs, amount: 1 },
        { key: `${prefix(scope, caller)}ss`, tauMs: spendShortMs, amount: 0 },
        { key: `${prefix(scope, caller)}sl`, tauMs: baselineMs, amount: 0 },
        { key: `${prefix(scope, caller)}sd`, tauMs: longMs, amount: 0 },
      ]);
      adds.push({ key: `${prefix('key', caller)}p:${fingerprint}`, tauMs: shortMs, amount: 1 });
      const counted = await store.add(caller.tenant, [...latches, ...adds], nowMs, { counters: latches.length, atLeast: stoppedAt });
      const latched = SCOPES.findIndex((_, i) => counted[i]! >= stoppedAt);
      if (latched >= 0) {
        const left = Math.max(1, Math.ceil(latchTauMs * Math.log(2 * counted[latched]!)));
        return { action: 'stop', scope: SCOPES[latched]!, why: `stopped for runaway traffic; ${Math.ceil(left / 1000)} s left`, retryAfterMs: left };
      }
      const v = counted.slice(latches.length);
      const findings: Finding[] = [];
      SCOPES.forEach((scope, i) => {
        const [rs, rl, ss, sl, sd] = [v[i * 5]!, v[i * 5 + 1]!, v[i * 5 + 2]!, v[i * 5 + 3]!, v[i * 5 + 4]!];
        if (floorPerMs > 0) {
          // The baseline is judged before this request joins it: a burst is compared with what came before.
          const rate = judge(scope, 'request rate', rs / shortMs / Math.max((rl - 1) / baselineMs, floorPerMs));
          if (rate) findings.push(rate);
        }
        if (spendFloorPerMs > 0) {
          // The spend baseline leaves out the recent window (sl − ss): with a 20 s window inside a 10 min
          // baseline, a burst would otherwise lift its own baseline too fast to ever reach the stop ratio.
          const spend = judge(scope, 'spend rate', ss / spendShortMs / Math.max(Math.max(0, sl - ss) / baselineMs, spendFloorPerMs));
          if (spend) findings.push(spend);
          // The ~10-minute rate against the long baseline before it: a climb slow enough for the
          // 10-minute baseline to follow still stands out against the day's.
          const climb = judge(scope, '10-minute spend rate', sl / baselineMs / Math.max(Math.max(0, sd - sl) / longMs, spendFloorPerMs), 'its long-term baseline');
          if (climb) findings.push(climb);
        }
      });
      const repeats = v[10]!;
      const repeatWhy = `the same prompt ${Math.round(repeats)} times within seconds`;
      if (repeatMode !== 'off' && repeats >= repeatsToSlow) {
        const action = repeatMode === 'detect' ? 'detect' : repeats >= repeatsToSlow * 2 ? 'stop' : 'slow';
        findings.push({ action, scope: 'key', amount: repeats, why: repeatWhy });
      }
      const stop = findings.find((f) => f.action === 'stop');
      if (stop) {
        await store.add(caller.tenant, [{ key: `${prefix(stop.scope, caller)}stop`, tauMs: latchTauMs, amount: 1 }], nowMs);
        return { action: 'stop', scope: stop.scope, why: stop.why, retryAfterMs: stopMs };
      }
      const slows = findings.filter((f) => f.action === 'slow');
      if (slows.length > 0) {
        const worst = slows.reduce((a, b) => (b.amount > a.amount ? b : a));
        return { action: 'slow', scope: worst.scope, delayMs: Math.min(5000, Math.round(250 * worst.amount)), why: worst.why };
      }
      const detected = findings.find((f) => f.action === 'detect');
      return detected ? { action: 'detect', scope: 'key', why: detected.why } : { action: 'pass' };
    },
    async recordSpend(caller, usd, nowMs) {
      if (!(usd > 0)) return;
      await store.add(
        caller.tenant,
        SCOPES.flatMap((scope) => [
          { key: `${prefix(scope, caller)}ss`, tauMs: spendShortMs, amount: usd },
          { key: `${prefix(scope, caller)}sl`, tauMs: baselineMs, amount: usd },
          { key: `${prefix(scope, caller)}sd`, tauMs: longMs, amount: usd },
        ]),
        nowMs,
      );
    },
  };
}
