// Wires the ledger from its configuration: catalog (watched file or bundled), usage store (Redis or
// in-process), handler. Separate from main.ts so tests can start it against a real Redis.
import { Redis } from 'ioredis';
import { LedgerService } from '@sophia/contracts/ledger';
import { createCatalogWatcher, loadCatalog, type PriceCatalog } from '@sophia/price-catalog';
import { serviceRegistration, type Logger, type StartedService } from '@sophia/platform';
import { createLedgerHandler } from './ledger-handler.ts';
import type { LedgerConfig } from './ledger-config.ts';
import { createMemoryUsageStore } from './memory-usage-store.ts';
import { createRedisUsageStore } from './redis-usage-store.ts';
import type { UsageStore } from './usage-store.ts';

/** Options for startLedger beyond the parsed configuration. */
export interface StartLedgerOptions {
  readonly config: LedgerConfig;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** Builds the ledger's gRPC service and the resources `close` releases (Redis client, file watcher). */
export async function startLedger(options: StartLedgerOptions): Promise<StartedService> {
  const { config, logger } = options;
  const closers: Array<() => Promise<void> | void> = [];

  let catalog: () => PriceCatalog;
  if (config.SOPHIA_CATALOG_PATH !== undefined) {
    const watcher = createCatalogWatcher(
      config.SOPHIA_CATALOG_PATH,
      (c) => logger.info({ version: c.version, path: config.SOPHIA_CATALOG_PATH }, 'price catalog reloaded'),
      { onError: (err) => logger.error({ err: err.message }, 'price catalog reload rejected: keeping the previous catalog') },
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
    await redis.connect();
    closers.push(async () => {
      await redis.quit();
    });
    store = createRedisUsageStore({ redis, keyPrefix: config.SOPHIA_LEDGER_REDIS_PREFIX });
    logger.info({ prefix: config.SOPHIA_LEDGER_REDIS_PREFIX }, 'usage store: redis');
  } else {
    store = createMemoryUsageStore();
    logger.warn('SOPHIA_REDIS_URL is unset: usage is kept in process memory, not shared across replicas and lost on restart');
  }

  const handler = createLedgerHandler({ store, catalog, logger, ...(options.clock ? { clock: options.clock } : {}) });
  return {
    services: [serviceRegistration(LedgerService, handler)],
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}
