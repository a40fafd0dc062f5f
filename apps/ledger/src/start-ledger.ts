// Wires the ledger from its configuration: catalog (watched file or bundled), usage store (Redis or
// in-process), handler. Separate from main.ts so tests can start it against a real Redis.
import { Redis } from 'ioredis';
import { LedgerService } from '@sophia/contracts/ledger';
import { createCatalogWatcher, loadCatalog, type PriceCatalog } from '@sophia/price-catalog';
import { serviceRegistration, type Logger, type ServiceMetrics, type StartedService } from '@sophia/platform';
import { createLedgerHandler } from './ledger-handler.ts';
import type { LedgerConfig } from './ledger-config.ts';
import { createLedgerMetrics } from './ledger-metrics.ts';
import { createMemoryUsageStore } from './memory-usage-store.ts';
import { createRedisUsageStore } from './redis-usage-store.ts';
import type { UsageStore } from './usage-store.ts';

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
  logger.info({ version: catalog().version, models: catalog().models.length }, 'price catalog loaded');

  let store: UsageStore;
  if (config.SOPHIA_REDIS_URL !== undefined) {
    const redis = new Redis(config.SOPHIA_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
    redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      for (const close of closers.reverse()) await close();
      // The URL may carry a password: name only the host.
      const { host } = new URL(config.SOPHIA_REDIS_URL);
      throw new Error(`SOPHIA_REDIS_URL: cannot connect to Redis at ${host}: ${(error as Error).message}`);
    }
    closers.push(async () => {
      await redis.quit();
    });
    store = createRedisUsageStore({ redis, keyPrefix: config.SOPHIA_LEDGER_REDIS_PREFIX });
    logger.info({ prefix: config.SOPHIA_LEDGER_REDIS_PREFIX }, 'usage store: redis');
  } else {
    store = createMemoryUsageStore();
    logger.warn('SOPHIA_REDIS_URL is unset: usage is kept in process memory, not shared across replicas and lost on restart');
  }

  const handler = createLedgerHandler({
    store,
    catalog,
    logger,
    ...(metrics ? { metrics } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    services: [serviceRegistration(LedgerService, handler)],
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}
