// FleetStore in process memory: for the offline simulation (whose instances are virtual and whose
// run ends with the process) and for unit tests. Services use the SQLite or Redis store.
import type { CatalogTier } from '@sophia/price-catalog';
import { MINUTES_PER_WEEK, sortHolds, weekSlot, type FleetAuditEntry, type FleetHold, type FleetInstance, type FleetStore, type WeeklyDemand } from './fleet-store.ts';

/** A FleetStore that keeps everything in memory; `audit` is readable for reports. */
export function createMemoryFleetStore(): FleetStore & { readonly audit: readonly FleetAuditEntry[] } {
  const instances = new Map<string, FleetInstance>();
  const audit: FleetAuditEntry[] = [];
  const holds = new Map<CatalogTier, FleetHold>();
  let lease: { holder: string; expiresMs: number } | undefined;
  const weekly = new Map<CatalogTier, { slots: Map<number, WeeklyDemand>; firstMinute: number; lastMinute: number }>();
  return {
    audit,
    liveInstances: () => Promise.resolve([...instances.values()].filter((i) => i.state !== 'terminated').sort((a, b) => a.launchedAt - b.launchedAt)),
    putInstance: (instance) => {
      instances.set(instance.id, instance);
      return Promise.resolve();
    },
    getInstance: (id) => Promise.resolve(instances.get(id)),
    appendAudit: (entry) => {
      audit.push(entry);
      return Promise.resolve();
    },
    recentAudit: (limit) => Promise.resolve(audit.slice(-limit).reverse()),
    putHold: (hold) => {
      holds.set(hold.tier, hold);
      return Promise.resolve();
    },
    activeHolds: (nowMs) => Promise.resolve(sortHolds([...holds.values()].filter((h) => h.untilMs > nowMs))),
    tryLease: (holder, nowMs, ttlMs) => {
      if (lease !== undefined && lease.holder !== holder && lease.expiresMs > nowMs) return Promise.resolve(false);
      lease = { holder, expiresMs: nowMs + ttlMs };
      return Promise.resolve(true);
    },
    releaseLease: (holder) => {
      if (lease?.holder === holder) lease = undefined;
      return Promise.resolve();
    },
    addWeeklyDemand: (tier, minute, demand) => {
      const profile = weekly.get(tier) ?? { slots: new Map<number, WeeklyDemand>(), firstMinute: minute, lastMinute: Number.NEGATIVE_INFINITY };
      if (minute <= profile.lastMinute) return Promise.resolve(false);
      const slot = weekSlot(minute);
      const was = profile.slots.get(slot) ?? { requests: 0, promptTokens: 0, completionTokens: 0 };
      profile.slots.set(slot, { requests: was.requests + demand.requests, promptTokens: was.promptTokens + demand.promptTokens, completionTokens: was.completionTokens + demand.completionTokens });
      profile.lastMinute = minute;
      weekly.set(tier, profile);
      return Promise.resolve(true);
    },
    weeklyDemand: (tier, fromMinute, minutes) => {
      const profile = weekly.get(tier);
      const total = { requests: 0, promptTokens: 0, completionTokens: 0 };
      for (let m = fromMinute; m < fromMinute + Math.min(minutes, MINUTES_PER_WEEK); m++) {
        const d = profile?.slots.get(weekSlot(m));
        if (d === undefined) continue;
        total.requests += d.requests;
        total.promptTokens += d.promptTokens;
        total.completionTokens += d.completionTokens;
      }
      return Promise.resolve({ total, firstMinute: profile?.firstMinute });
    },
    close: () => Promise.resolve(),
  };
}
