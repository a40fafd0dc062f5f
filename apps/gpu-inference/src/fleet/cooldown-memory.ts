// Scale-down hysteresis: a pool keeps the largest count any decision asked for during the last
// cool-down minutes, so capacity leaves only once no rule has wanted it for that long, while a
// higher decision takes effect at once.

/** Recent decisions of every pool. */
export interface CooldownMemory {
  /** Records `desired` for `key` at `minute` and returns the largest desired within the last `cooldownMinutes`. */
  hold(key: string, minute: number, desired: number, cooldownMinutes: number): number;
}

/** An empty CooldownMemory (derived state: after a restart capacity is kept one more cool-down at most). */
export function createCooldownMemory(): CooldownMemory {
  const history = new Map<string, { minute: number; desired: number }[]>();
  return {
    hold(key, minute, desired, cooldownMinutes) {
      const entries = (history.get(key) ?? []).filter((e) => e.minute > minute - cooldownMinutes && e.desired > desired);
      entries.push({ minute, desired });
      history.set(key, entries);
      return Math.max(...entries.map((e) => e.desired));
    },
  };
}
