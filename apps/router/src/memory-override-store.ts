import { REFUND_GRACE_MS, type OverrideStore } from './override-store.ts';
import type { RoutingOverride } from './routing-override.ts';

/** In-process overrides for a single replica (used when SOPHIA_REDIS_URL is unset, and in tests). */
export function createMemoryOverrideStore(clock: () => number = Date.now): OverrideStore {
  const byId = new Map<string, RoutingOverride>();
  /** Used-up counted overrides, kept until this time so a refused request can give its use back. */
  const usedUpUntil = new Map<string, number>();
  const expired = (o: RoutingOverride, now: number): boolean => o.expiresAt !== undefined && o.expiresAt <= now;
  const live = (o: RoutingOverride, now: number): boolean => !expired(o, now) && (o.remaining === undefined || o.remaining > 0);
  return {
    shared: false,
    async list(now) {
      for (const [id, o] of byId) {
        const usedUp = o.remaining !== undefined && o.remaining <= 0;
        if (expired(o, now) || (usedUp && (usedUpUntil.get(id) ?? 0) <= now)) {
          byId.delete(id);
          usedUpUntil.delete(id);
        }
      }
      return [...byId.values()].filter((o) => live(o, now));
    },
    async add(override) {
      byId.set(override.id, override);
    },
    async remove(id) {
      usedUpUntil.delete(id);
      return byId.delete(id);
    },
    async claim(id) {
      const o = byId.get(id);
      if (!o || !live(o, clock()) || o.remaining === undefined) return undefined;
      const remaining = o.remaining - 1;
      byId.set(id, { ...o, remaining });
      if (remaining === 0) usedUpUntil.set(id, clock() + REFUND_GRACE_MS);
      return remaining;
    },
    async refund(override) {
      const o = byId.get(override.id);
      if (!o || o.remaining === undefined || expired(o, clock())) return;
      byId.set(o.id, { ...o, remaining: o.remaining + 1 });
      usedUpUntil.delete(o.id);
    },
  };
}
