import type { OverrideStore } from './override-store.ts';
import type { RoutingOverride } from './routing-override.ts';

/** In-process overrides for a single replica (used when SOPHIA_REDIS_URL is unset, and in tests). */
export function createMemoryOverrideStore(clock: () => number = Date.now): OverrideStore {
  const byId = new Map<string, RoutingOverride>();
  const live = (o: RoutingOverride, now: number): boolean => (o.expiresAt === undefined || o.expiresAt > now) && (o.remaining === undefined || o.remaining > 0);
  return {
    shared: false,
    async list(now) {
      for (const [id, o] of byId) if (!live(o, now)) byId.delete(id);
      return [...byId.values()];
    },
    async add(override) {
      byId.set(override.id, override);
    },
    async remove(id) {
      return byId.delete(id);
    },
    async claim(id) {
      const o = byId.get(id);
      if (!o || !live(o, clock()) || o.remaining === undefined) return undefined;
      const remaining = o.remaining - 1;
      if (remaining === 0) byId.delete(id);
      else byId.set(id, { ...o, remaining });
      return remaining;
    },
  };
}
