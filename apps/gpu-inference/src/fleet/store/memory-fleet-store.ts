// FleetStore in process memory: for the offline simulation (whose instances are virtual and whose
// run ends with the process) and for unit tests. Services use the SQLite or Redis store.
import type { CatalogTier } from '@sophia/price-catalog';
import { sortHolds, type FleetAuditEntry, type FleetHold, type FleetInstance, type FleetStore } from './fleet-store.ts';

/** A FleetStore that keeps everything in memory; `audit` is readable for reports. */
export function createMemoryFleetStore(): FleetStore & { readonly audit: readonly FleetAuditEntry[] } {
  const instances = new Map<string, FleetInstance>();
  const audit: FleetAuditEntry[] = [];
  const holds = new Map<CatalogTier, FleetHold>();
  let lease: { holder: string; expiresMs: number } | undefined;
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
    close: () => Promise.resolve(),
  };
}
