// Ledger-specific Prometheus metrics. Counted only for events this replica actually recorded (not
// duplicates), so summing across replicas gives the true totals. Labels are bounded by the catalog.
import { Counter, type Registry } from 'prom-client';
import type { RecordOutcome, UsageRecord } from './usage-store.ts';

/** Counters the handler and the catalog watcher update. */
export interface LedgerMetrics {
  readonly records: Counter<'result'>;
  readonly costMicroUsd: Counter<'backend' | 'tier' | 'model'>;
  readonly tokens: Counter<'backend' | 'model' | 'kind'>;
  readonly catalogReloads: Counter<'result'>;
  readonly reservations: Counter<'result'>;
  readonly unreservedCommits: Counter;
  /** Counts one RecordUsage outcome. */
  observeRecord(record: UsageRecord, recorded: boolean): void;
  /** Counts one Reserve outcome. */
  observeReserve(granted: boolean): void;
  /** Counts a settled commit that found no reservation held for it (served without a budget check). */
  observeSettlement(outcome: RecordOutcome): void;
}

/** Registers the ledger metrics on `registry`. */
export function createLedgerMetrics(registry: Registry): LedgerMetrics {
  const records = new Counter({
    name: 'ledger_usage_records_total',
    help: 'RecordUsage calls by result: recorded, or duplicate (request id already recorded).',
    labelNames: ['result'],
    registers: [registry],
  });
  const costMicroUsd = new Counter({
    name: 'ledger_cost_micro_usd_total',
    help: 'Cost of recorded usage in micro-USD, by backend, tier and model.',
    labelNames: ['backend', 'tier', 'model'],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'ledger_tokens_total',
    help: 'Tokens of recorded usage by backend, model and kind (prompt or completion).',
    labelNames: ['backend', 'model', 'kind'],
    registers: [registry],
  });
  const catalogReloads = new Counter({
    name: 'ledger_catalog_reloads_total',
    help: 'Price catalog file reloads by result: applied, or rejected (invalid file, previous catalog kept).',
    labelNames: ['result'],
    registers: [registry],
  });
  const reservations = new Counter({
    name: 'ledger_reservations_total',
    help: 'Reserve calls by result: granted, or refused (a budget would be exceeded).',
    labelNames: ['result'],
    registers: [registry],
  });
  const unreservedCommits = new Counter({
    name: 'ledger_unreserved_commits_total',
    help: 'Usage committed (or replayed from the outage spool) that settled no reservation: requests served without a budget check (SOPHIA_REDIS_OUTAGE=serve during an outage, or a reservation expired or released first). Stays 0 under SOPHIA_REDIS_OUTAGE=refuse.',
    registers: [registry],
  });
  return {
    records,
    reservations,
    unreservedCommits,
    observeSettlement(outcome) {
      if (outcome.recorded && outcome.reservationHeld === false) unreservedCommits.inc();
    },
    observeReserve(granted) {
      reservations.inc({ result: granted ? 'granted' : 'refused' });
    },
    costMicroUsd,
    tokens,
    catalogReloads,
    observeRecord(record, recorded) {
      records.inc({ result: recorded ? 'recorded' : 'duplicate' });
      if (!recorded) return;
      costMicroUsd.inc({ backend: record.backend, tier: record.tier, model: record.model }, record.costMicroUsd);
      tokens.inc({ backend: record.backend, model: record.model, kind: 'prompt' }, record.promptTokens);
      tokens.inc({ backend: record.backend, model: record.model, kind: 'completion' }, record.completionTokens);
    },
  };
}
