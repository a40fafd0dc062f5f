// FleetStore in process memory: for the offline simulation (whose instances are virtual and whose
// run ends with the process) and for unit tests. Services use the SQLite or Redis store.
import type { FleetAuditEntry, FleetInstance, FleetStore } from './fleet-store.ts';

/** A FleetStore that keeps everything in memory; `audit` is readable for reports. */
export function createMemoryFleetStore(): FleetStore & { readonly audit: readonly FleetAuditEntry[] } {
  const instances = new Map<string, FleetInstance>();
  const audit: FleetAuditEntry[] = [];
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
    close: () => Promise.resolve(),
  };
}
