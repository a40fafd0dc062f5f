// Public API of @sophia/ledger (the handler and stores, for embedding and cross-service tests).
export { createLedgerHandler, type LedgerHandlerDeps, type LedgerLogger } from './ledger-handler.ts';
export {
  MAX_EVENT_TIME_MS,
  USAGE_DIMENSIONS,
  type RecordOutcome,
  type UsageDimension,
  type UsageQuery,
  type UsageRecord,
  type UsageReport,
  type UsageRow,
  type UsageStore,
  type UsageTotals,
} from './usage-store.ts';
export { createSqliteUsageStore, type SqliteUsageStore, type SqliteUsageStoreOptions } from './sqlite-usage-store.ts';
export { LEDGER_SCHEMA } from './ledger-schema.ts';
export { createRedisUsageStore, type RedisUsageStoreOptions } from './redis-usage-store.ts';
export { createUsageAggregator, utcDay, type UsageAggregator } from './usage-aggregator.ts';
export { usageEventToRecord } from './usage-event-record.ts';
export { usageQueryFromRequest } from './usage-query-request.ts';
export { createLedgerMetrics, type LedgerMetrics } from './ledger-metrics.ts';
export { ledgerConfigSchema, LEDGER_DEFAULT_PORT, LEDGER_PORT_KEY, type LedgerConfig } from './ledger-config.ts';
export { startLedger, type StartLedgerOptions } from './start-ledger.ts';
export {
  applicableScopes,
  BUDGET_WINDOWS,
  describeScope,
  scopeId,
  tenantScope,
  utilisation,
  type BudgetScope,
  type BudgetState,
  type BudgetStore,
  type BudgetWindow,
  type ReserveOutcome,
  type ReserveRequest,
} from './budget-store.ts';
export { createBudgetCalendar, type BudgetCalendar } from './budget-calendar.ts';
export { RETRY_AFTER_MS_KEY, formatUsd } from './budget-wire.ts';
export type { AuditEntry, RecordOptions } from './usage-store.ts';
export type { LedgerLog, LogEntry } from './ledger-log.ts';
export { createRedisLedgerLog, type RedisLedgerLogOptions } from './redis-ledger-log.ts';
export { createWarehouseSink, type WarehouseSink, type WarehouseSinkOptions } from './warehouse-sink.ts';
export type { Warehouse, WarehouseBatch } from './warehouse.ts';
export { createDuckDbWarehouse, type DuckDbWarehouse, type WarehouseTotals } from './duckdb-warehouse.ts';
export { createRedisBudgetStore } from './redis-budget-store.ts';
export { redisLedgerKeys, type RedisLedgerKeys } from './redis-ledger-keys.ts';
