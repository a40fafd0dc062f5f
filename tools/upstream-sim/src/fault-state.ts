import { createSeededRandom } from './seeded-random.ts';
import type { FaultSpec, InnerFaultSpec } from './fault-spec.ts';

/**
 * The process-level fault and how each request resolves its fault: a per-request fault wins over the
 * process one (and does not consume its `count`); `fail-rate` draws from a seeded generator so a run
 * with the same seeds fails the same requests.
 */
export interface FaultState {
  /** Installs (or clears, with undefined / kind "none") the process-level fault. */
  set(spec: FaultSpec | undefined): void;
  current(): FaultSpec | undefined;
  /** The fault to apply to one chat request, or undefined for a normal answer. */
  takeForChat(requestFault: FaultSpec | undefined): InnerFaultSpec | undefined;
  /** Whether this /health call must fail (consumes `count` of a health-fail fault). */
  takeForHealth(): boolean;
}

/** Seeds used when a fault does not name one. */
export const DEFAULT_FAIL_RATE_SEED = 1;

/** Creates the fault holder; `requestSeed` seeds per-request fail-rate faults that name no seed. */
export function createFaultState(initial: FaultSpec | undefined, requestSeed = DEFAULT_FAIL_RATE_SEED): FaultState {
  let spec: FaultSpec | undefined;
  let remaining: number | undefined;
  let processRandom = createSeededRandom(DEFAULT_FAIL_RATE_SEED);
  // Per-request fail-rate faults share one generator per seed, so repeated requests draw a sequence.
  const requestRandoms = new Map<number, () => number>();
  const requestRandom = (seed: number): (() => number) => {
    let random = requestRandoms.get(seed);
    if (!random) {
      random = createSeededRandom(seed);
      requestRandoms.set(seed, random);
    }
    return random;
  };

  const set = (next: FaultSpec | undefined): void => {
    spec = next?.kind === 'none' ? undefined : next;
    remaining = spec?.count;
    if (spec?.kind === 'fail-rate') processRandom = createSeededRandom(spec.seed ?? DEFAULT_FAIL_RATE_SEED);
  };

  const consume = (): void => {
    if (remaining === undefined) return;
    remaining -= 1;
    if (remaining <= 0) set(undefined);
  };

  const resolve = (fault: FaultSpec, random: () => number): InnerFaultSpec | undefined => {
    if (fault.kind === 'none' || fault.kind === 'health-fail') return undefined;
    if (fault.kind === 'fail-rate') return random() < fault.p ? fault.inner : undefined;
    return fault;
  };

  set(initial);
  return {
    set,
    current: () => spec,
    takeForChat(requestFault) {
      if (requestFault) {
        const seed = requestFault.kind === 'fail-rate' ? (requestFault.seed ?? requestSeed) : requestSeed;
        return resolve(requestFault, requestRandom(seed));
      }
      if (!spec || spec.kind === 'health-fail') return undefined;
      const active = spec;
      consume();
      return resolve(active, processRandom);
    },
    takeForHealth() {
      if (spec?.kind !== 'health-fail') return false;
      consume();
      return true;
    },
  };
}
