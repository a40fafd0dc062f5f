// Wires the ledger from its configuration: catalog (watched file or bundled), usage store (Redis or
// the embedded SQLite file under SOPHIA_DATA_DIR), handler. Separate from main.ts so tests can start it against a real Redis.
import { hostname } from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import { connectRedis } from '@sophia/platform/redis';
import { LedgerService } from '@sophia/contracts/ledger';
import { createCatalogWatcher, loadCatalog, type PriceCatalog } from '@sophia/price-catalog';
import { serviceRegistration, type Logger, type ServiceMetrics, type StartedService } from '@sophia/platform';
import { createLedgerHandler } from './ledger-handler.ts';
import { replicaAcksOf, type LedgerConfig } from './ledger-config.ts';
import { createLedgerMetrics } from './ledger-metrics.ts';
import { dataDirOptions, openDataDir } from '@sophia/state-store';
import { LEDGER_SCHEMA } from './ledger-schema.ts';
import { createSqliteUsageStore } from './sqlite-usage-store.ts';
import { retentionWindows, scheduleRetention } from './retention.ts';
import { createSpoolingUsageStore } from './spooling-usage-store.ts';
import { createUsageSpool, SPOOL_SCHEMA } from './usage-spool.ts';
import { createRedisUsageStore, type RedisUsageStoreOptions } from './redis-usage-store.ts';
import type { RecordOutcome, UsageStore } from './usage-store.ts';
import type { BudgetStore } from './budget-store.ts';
import { createBudgetCalendar } from './budget-calendar.ts';
import { parseBaselineInstances } from './gpu-baseline.ts';
import type { LedgerLog } from './ledger-log.ts';
import { openWarehouse } from './open-warehouse.ts';
import { createRedisLedgerLog } from './redis-ledger-log.ts';
import { redisLedgerKeys } from './redis-ledger-keys.ts';
import { createWarehouseSink } from './warehouse-sink.ts';
import { createLivePriceCatalog } from './live-price-catalog.ts';

/** Options for startLedger beyond the parsed configuration. */
export interface StartLedgerOptions {
  readonly config: LedgerConfig;
  readonly logger: Logger;
  /** The process's metrics; the ledger adds its own counters to `registry`. */
  readonly metrics?: ServiceMetrics;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** Builds the ledger's gRPC service and the resources `close` releases (Redis client, file watcher). */
export async function startLedger(options: StartLedgerOptions): Promise<StartedService> {
  const { config, logger } = options;
  const metrics = options.metrics === undefined ? undefined : createLedgerMetrics(options.metrics.registry);
  const closers: Array<() => Promise<void> | void> = [];

  let catalog: () => PriceCatalog;
  if (config.SOPHIA_CATALOG_PATH !== undefined) {
    const watcher = createCatalogWatcher(
      config.SOPHIA_CATALOG_PATH,
      (c) => {
        metrics?.catalogReloads.inc({ result: 'applied' });
        logger.info({ version: c.version, path: config.SOPHIA_CATALOG_PATH }, 'price catalog reloaded');
      },
      {
        onError: (err) => {
          metrics?.catalogReloads.inc({ result: 'rejected' });
          logger.error({ err: err.message }, 'price catalog reload rejected: keeping the previous catalog');
        },
      },
    );
    closers.push(() => watcher.close());
    catalog = () => watcher.current();
  } else {
    const bundled = loadCatalog();
    catalog = () => bundled;
  }
  if (config.SOPHIA_LAMBDA_API_KEY !== undefined) {
    const live = await createLivePriceCatalog({
      catalog,
      apiKey: config.SOPHIA_LAMBDA_API_KEY,
      baseUrl: config.SOPHIA_LAMBDA_API_URL,
      refreshMs: config.SOPHIA_LAMBDA_REFRESH_MS,
      logger,
    });
    closers.push(() => live.close());
    catalog = live.current;
  }
  logger.info({ version: catalog().version, models: catalog().models.length }, 'price catalog loaded');
  const calendar = createBudgetCalendar(config.SOPHIA_BUDGET_TIMEZONE);

  let store: (UsageStore & BudgetStore) | undefined;
  let log: LedgerLog | (() => Promise<LedgerLog>) | undefined;
  /** The state file the store writes (embedded) or spools to (Redis), named when it is full. */
  let stateLocation: string | undefined;
  let interruptLog = (): void => undefined;
  if (config.SOPHIA_REDIS_URL !== undefined) {
    const target = config.SOPHIA_REDIS_URL;
    const connect = async (): Promise<Redis | Cluster> => {
      const redis = await connectRedis(target, {
        // No offline queue: while Redis is unreachable a command fails at once, so a record is spooled
        // (or a reservation refused under SOPHIA_REDIS_OUTAGE=refuse) without the client waiting on reconnects.
        options: { maxRetriesPerRequest: 2, enableOfflineQueue: false },
        onError: (err) => logger.warn({ err: err.message }, 'redis connection error'),
      });
      closers.push(async () => {
        await redis.quit().catch(() => redis.disconnect());
      });
      return redis;
    };
    let redis: Redis | Cluster;
    try {
      redis = await connect();
    } catch (error) {
      for (const close of closers.reverse()) await close();
      throw error;
    }
    // The spool for records Redis cannot take during an outage lives in this replica's data directory.
    let spoolState: ReturnType<typeof openDataDir>;
    try {
      spoolState = openDataDir(dataDirOptions(config), [SPOOL_SCHEMA]);
    } catch (error) {
      for (const close of closers.reverse()) await close();
      throw error;
    }
    // Records wait for replicas (WAIT) on a connection of their own: WAIT blocks the connection it runs on.
    let replicaAcks: RedisUsageStoreOptions['replicaAcks'];
    try {
      const acks = replicaAcksOf(config);
      replicaAcks = acks ? { ...acks, redis: await connect() } : undefined;
    } catch (error) {
      for (const close of closers.reverse()) await close();
      throw error;
    }
    const primary = createRedisUsageStore({ redis, keyPrefix: config.SOPHIA_LEDGER_REDIS_PREFIX, calendar, ...(replicaAcks ? { replicaAcks } : {}) });
    // Every replica schedules it; a lease in Redis lets one compact at a time.
    const windows = retentionWindows(config);
    const retention = scheduleRetention({ store: primary, ...windows, logger });
    closers.push(() => retention.stop());
    const spooling = createSpoolingUsageStore({
      primary,
      spool: createUsageSpool(spoolState.db),
      policy: config.SOPHIA_REDIS_OUTAGE,
      logger,
      compaction: { rawMs: windows.rawMs, bucketMs: windows.bucketMs },
      ...(metrics ? { onReplayed: (outcome: RecordOutcome) => metrics.observeSettlement(outcome) } : {}),
    });
    closers.push(() => spoolState.close());
    closers.push(() => spooling.close());
    stateLocation = spoolState.path;
    store = spooling;
    log = async () =>
      createRedisLedgerLog({
        // XREADGROUP BLOCK holds a connection: the sink gets its own.
        redis: await connect(),
        keys: redisLedgerKeys(config.SOPHIA_LEDGER_REDIS_PREFIX),
        consumer: `${hostname()}:${process.pid}`,
        claimIdleMs: config.SOPHIA_WAREHOUSE_CLAIM_IDLE_MS,
      });
    logger.info(
      { prefix: config.SOPHIA_LEDGER_REDIS_PREFIX, budgetTimeZone: calendar.timeZone, outage: config.SOPHIA_REDIS_OUTAGE, spool: spoolState.path },
      'usage store: redis (records spooled locally while it is unreachable)',
    );
  }
  if (config.SOPHIA_REDIS_URL === undefined) {
    // Opened before the warehouse: it takes the data directory's lock (one owner per directory).
    let state: ReturnType<typeof openDataDir>;
    try {
      // Group commit: records are fsynced in batches off the event loop, each acknowledged after its batch.
      state = openDataDir(dataDirOptions(config), [LEDGER_SCHEMA], { groupCommit: true });
    } catch (error) {
      for (const close of closers.reverse()) await close();
      throw error;
    }
    closers.push(() => state.close());
    stateLocation = state.path;
    const sqlite = createSqliteUsageStore(state.db, { calendar, log: config.SOPHIA_WAREHOUSE_SINK === 'in-process', durable: state.durable });
    const retention = scheduleRetention({ store: sqlite, ...retentionWindows(config), logger });
    closers.push(() => retention.stop());
    store = sqlite;
    log = sqlite.log;
    interruptLog = () => sqlite.log.interrupt();
    logger.info({ path: state.path, sync: config.SOPHIA_DATA_SYNC, budgetTimeZone: calendar.timeZone }, 'usage store: embedded SQLite (durable; one replica per data directory)');
  }
  let opened: Awaited<ReturnType<typeof openWarehouse>> | undefined;
  if (config.SOPHIA_WAREHOUSE_SINK === 'in-process') {
    try {
      opened = await openWarehouse(config);
      const { warehouse } = opened;
      closers.push(() => warehouse.close());
    } catch (error) {
      if (config.SOPHIA_WAREHOUSE_PATH !== undefined || config.SOPHIA_SNOWFLAKE_ACCOUNT !== undefined) {
        for (const close of closers.reverse()) await close();
        throw error;
      }
      // The default file is taken (another ledger on this machine): keep serving, without a warehouse.
      logger.error({ err: (error as Error).message }, 'default warehouse unavailable: this process writes no usage to a warehouse');
    }
  }

  // Both branches above assign them; this narrows the types.
  if (store === undefined || log === undefined) throw new Error('ledger store was not configured');

  if (opened !== undefined) {
    const { warehouse, description } = opened;
    let sinkLog: LedgerLog;
    const source = log;
    try {
      sinkLog = typeof source === 'function' ? await source() : source;
    } catch (error) {
      for (const close of closers.reverse()) await close();
      throw error;
    }
    const sink = createWarehouseSink({ log: sinkLog, warehouse, logger });
    closers.push(async () => {
      // Embedded: this is the only sink of the log, so a graceful stop writes out what it holds (up to
      // 5 s); anything left — or everything, after a crash — stays in the durable log for the next start.
      if (config.SOPHIA_REDIS_URL === undefined) await Promise.race([sink.drained(), new Promise((r) => setTimeout(r, 5000).unref())]);
      interruptLog();
      await sink.stop();
    });
    logger.info({ warehouse: description }, 'warehouse sink: in-process');
  } else if (config.SOPHIA_WAREHOUSE_SINK === 'none') {
    logger.info('warehouse sink: none in this process (SOPHIA_WAREHOUSE_SINK=none)');
  }

  const gpuBaseline =
    config.SOPHIA_GPU_BASELINE_INSTANCES !== undefined
      ? { kind: 'instances' as const, instances: parseBaselineInstances(config.SOPHIA_GPU_BASELINE_INSTANCES) }
      : { kind: 'flat' as const, microUsdPerMonth: Math.round(config.SOPHIA_GPU_BASELINE_USD_PER_MONTH * 1_000_000) };

  const handler = createLedgerHandler({
    store,
    catalog,
    logger,
    ...(metrics ? { metrics } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    calendar,
    reservationTtlMs: config.SOPHIA_BUDGET_RESERVATION_TTL_MS,
    reports: { gpuBaseline },
    ...(stateLocation ? { stateLocation } : {}),
  });
  return {
    services: [serviceRegistration(LedgerService, handler)],
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}
