// Standalone warehouse sink process: `node apps/ledger/src/warehouse-sink-main.ts`. Reads the ledger
// log (Redis Stream, consumer group "warehouse") and writes it to the configured warehouse. Run one
// per DuckDB file (DuckDB allows one writing process), any number against Snowflake. Same keys as
// the ledger (SOPHIA_REDIS_URL required). Prints {"event":"started",...} on stdout, stops on SIGTERM.
import { hostname } from 'node:os';
import { connectRedis } from '@sophia/platform/redis';
import { createLogger, loadConfig, ConfigError, baseConfigSchema } from '@sophia/platform';
import { ledgerConfigSchema } from './ledger-config.ts';
import { openWarehouse } from './open-warehouse.ts';
import { createRedisLedgerLog } from './redis-ledger-log.ts';
import { redisLedgerKeys } from './redis-ledger-keys.ts';
import { createWarehouseSink } from './warehouse-sink.ts';

const schema = baseConfigSchema.extend(ledgerConfigSchema.shape);
let config: ReturnType<typeof schema.parse>;
try {
  config = loadConfig(schema, { env: process.env });
} catch (error) {
  if (error instanceof ConfigError) process.stderr.write(`warehouse-sink: ${error.message}\n`);
  process.exit(2);
}
if (config.SOPHIA_REDIS_URL === undefined) {
  process.stderr.write('warehouse-sink: SOPHIA_REDIS_URL: is required (embedded ledgers run their sink in-process)\n');
  process.exit(2);
}
const logger = createLogger({ service: 'warehouse-sink', level: config.SOPHIA_LOG_LEVEL });
const redis = await connectRedis(config.SOPHIA_REDIS_URL, {
  options: { maxRetriesPerRequest: 2 },
  onError: (err) => logger.warn({ err: err.message }, 'redis connection error'),
});
const { warehouse, description } = await openWarehouse(config);
const consumer = `${hostname()}:${process.pid}`;
const log = await createRedisLedgerLog({
  redis,
  keys: redisLedgerKeys(config.SOPHIA_LEDGER_REDIS_PREFIX),
  consumer,
  claimIdleMs: config.SOPHIA_WAREHOUSE_CLAIM_IDLE_MS,
});
let written = 0;
const sink = createWarehouseSink({ log, warehouse, logger, onBatch: (b) => (written += b.usage + b.audit) });
process.stdout.write(`${JSON.stringify({ event: 'started', service: 'warehouse-sink', warehouse: description, consumer })}\n`);

const stop = async (): Promise<void> => {
  await sink.stop();
  await warehouse.close();
  await redis.quit().catch(() => redis.disconnect());
  logger.info({ written }, 'warehouse sink stopped');
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
