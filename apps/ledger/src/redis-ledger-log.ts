// The ledger log as a Redis Stream read through a consumer group. The record script XADDs each new
// event in the same atomic step as the record, so an acknowledged RecordUsage/Commit is in the log.
// Readers claim entries a crashed consumer left pending (XAUTOCLAIM) before reading new ones
// (XREADGROUP), and acknowledge + delete entries once the warehouse has them (XACK, XDEL), so the
// stream holds only what is not yet in the warehouse.
import type { Cluster, Redis } from 'ioredis';
import { decodeAudit, type LedgerLog, type LogEntry } from './ledger-log.ts';
import type { RedisLedgerKeys } from './redis-ledger-keys.ts';
import { decodeStoredRecord } from './stored-usage-record.ts';

/** Options for createRedisLedgerLog. */
export interface RedisLedgerLogOptions {
  /** A dedicated client: XREADGROUP BLOCK holds its connection while waiting. */
  readonly redis: Redis | Cluster;
  readonly keys: RedisLedgerKeys;
  /** @default "warehouse" */
  readonly group?: string;
  /** Unique per sink process (e.g. host:pid). */
  readonly consumer: string;
  /**
   * Entries pending longer than this on any consumer are taken over (their sink presumably died).
   * @default 30000
   */
  readonly claimIdleMs?: number;
}

type StreamEntry = [id: string, fields: string[]];

function fieldsOf(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) out[raw[i] ?? ''] = raw[i + 1] ?? '';
  return out;
}

function decodeEntry([id, raw]: StreamEntry): LogEntry {
  const f = fieldsOf(raw);
  const json = f['json'] ?? '';
  if (f['kind'] === 'audit') return { id, kind: 'audit', audit: decodeAudit(id, json) };
  if (f['kind'] === 'usage') return { id, kind: 'usage', record: decodeStoredRecord(`log entry ${id}`, json) };
  throw new Error(`log entry ${id}: unknown kind '${f['kind'] ?? ''}'`);
}

/** Creates the consumer group if needed (from the start of the stream) and returns the reader. */
export async function createRedisLedgerLog(options: RedisLedgerLogOptions): Promise<LedgerLog> {
  const { redis, keys, consumer } = options;
  const group = options.group ?? 'warehouse';
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  try {
    await redis.xgroup('CREATE', keys.log, group, '0', 'MKSTREAM');
  } catch (error) {
    if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
  }
  return {
    async read(count, blockMs) {
      // Deleted entries come back as nil in XAUTOCLAIM's list (Redis 7); they are gone, skip them.
      const claimed = (await redis.xautoclaim(keys.log, group, consumer, claimIdleMs, '0-0', 'COUNT', count)) as [string, Array<StreamEntry | null>];
      const stale = claimed[1].filter((e): e is StreamEntry => e !== null && Array.isArray(e[1]));
      if (stale.length > 0) return stale.map(decodeEntry);
      const reply = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', keys.log, '>')) as
        | Array<[string, StreamEntry[]]>
        | null;
      return (reply?.[0]?.[1] ?? []).map(decodeEntry);
    },
    async ack(ids) {
      if (ids.length === 0) return;
      await redis.multi().xack(keys.log, group, ...ids).xdel(keys.log, ...ids).exec();
    },
    async backlog() {
      return redis.xlen(keys.log);
    },
  };
}
