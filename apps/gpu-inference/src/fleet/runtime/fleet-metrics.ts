// The fleet as Prometheus metrics: instances by tier and state, each pool's desired and target
// counts, committed spend per hour, whether this replica acts (holds the lease), and every audited
// action counted by kind.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FleetTickReport } from '../fleet-controller.ts';
import type { FleetAuditEntry, FleetInstance } from '../store/fleet-store.ts';

/** Updaters the fleet runtime calls. */
export interface FleetMetrics {
  action(entry: FleetAuditEntry): void;
  tick(report: FleetTickReport, live: readonly FleetInstance[]): void;
}

/** Registers the fleet's metrics on `registry`. */
export function createFleetMetrics(registry: Registry): FleetMetrics {
  const actions = new Counter({ name: 'sophia_gpu_fleet_actions_total', help: 'Fleet controller actions by kind and tier', labelNames: ['action', 'tier'], registers: [registry] });
  const instances = new Gauge({ name: 'sophia_gpu_fleet_instances', help: 'Managed GPU instances by tier and state', labelNames: ['tier', 'state'], registers: [registry] });
  const desired = new Gauge({ name: 'sophia_gpu_fleet_desired_instances', help: 'Instances the policy wants per tier (before cool-down)', labelNames: ['tier'], registers: [registry] });
  const target = new Gauge({ name: 'sophia_gpu_fleet_target_instances', help: 'Instances the controller aims for per tier (after cool-down)', labelNames: ['tier'], registers: [registry] });
  const acting = new Gauge({ name: 'sophia_gpu_fleet_acting', help: '1 when this replica applies fleet actions (auto mode and holder of the fleet lease), 0 when it only plans', registers: [registry] });
  const spend = new Gauge({ name: 'sophia_gpu_fleet_usd_per_hour', help: 'On-demand price of the live managed instances, USD per hour', registers: [registry] });
  return {
    action: (entry) => actions.inc({ action: entry.action, tier: entry.tier ?? '' }),
    tick(report, live) {
      instances.reset();
      for (const p of report.pools) {
        desired.set({ tier: p.tier }, p.decision.desired);
        target.set({ tier: p.tier }, p.target);
        instances.set({ tier: p.tier, state: 'booting' }, p.booting);
        instances.set({ tier: p.tier, state: 'in_pool' }, p.inPool);
        instances.set({ tier: p.tier, state: 'draining' }, p.draining);
      }
      acting.set(report.acting ? 1 : 0);
      spend.set(live.reduce((s, i) => s + i.microUsdPerHour, 0) / 1e6);
    },
  };
}
