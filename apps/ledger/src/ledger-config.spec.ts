// SOPHIA_LEDGER_REDIS_REPLICA_ACKS resolved against the Redis target: on by default only where a
// failover to a replica is the deployment's design (Sentinel), refused where WAIT cannot be routed.
import { loadConfig, type ConfigError } from '@sophia/platform';
import { ledgerConfigSchema, replicaAcksOf } from './ledger-config.ts';

const acks = (env: Record<string, string>) => replicaAcksOf(ledgerConfigSchema.parse(env));

describe('replicaAcksOf', () => {
  it('waits for one replica under Sentinel by default, for none with a plain URL or without Redis', () => {
    expect(acks({ SOPHIA_REDIS_URL: 'redis+sentinel://127.0.0.1:26379/sophia' })).toEqual({ replicas: 1, timeoutMs: 500 });
    expect(acks({ SOPHIA_REDIS_URL: 'redis://127.0.0.1:6379' })).toBeUndefined();
    expect(acks({})).toBeUndefined();
  });

  it('follows the keys when set', () => {
    expect(acks({ SOPHIA_REDIS_URL: 'redis://127.0.0.1:6379', SOPHIA_LEDGER_REDIS_REPLICA_ACKS: '2', SOPHIA_LEDGER_REDIS_REPLICA_ACK_TIMEOUT_MS: '50' })).toEqual({ replicas: 2, timeoutMs: 50 });
    expect(acks({ SOPHIA_REDIS_URL: 'redis+sentinel://127.0.0.1:26379/sophia', SOPHIA_LEDGER_REDIS_REPLICA_ACKS: '0' })).toBeUndefined();
  });

  it('refuses replica acknowledgement with Redis Cluster, naming the key', () => {
    expect(() => acks({ SOPHIA_REDIS_URL: 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001', SOPHIA_LEDGER_REDIS_REPLICA_ACKS: '1' })).toThrow('SOPHIA_LEDGER_REDIS_REPLICA_ACKS');
    expect(acks({ SOPHIA_REDIS_URL: 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001' })).toBeUndefined();
  });
});

describe('usage windows', () => {
  const problems = (env: Record<string, string>): readonly string[] => {
    try {
      loadConfig(ledgerConfigSchema, { env });
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('refuses a raw window longer than the retention, naming both keys and the limit', () => {
    expect(problems({ SOPHIA_USAGE_RETENTION_DAYS: '2', SOPHIA_USAGE_RAW_HOURS: '49' })).toEqual([
      'SOPHIA_USAGE_RAW_HOURS: 49 hours is longer than SOPHIA_USAGE_RETENTION_DAYS (2 days = 48 hours): raw events would be pruned before they are compacted; set SOPHIA_USAGE_RAW_HOURS to at most 48 or raise SOPHIA_USAGE_RETENTION_DAYS',
    ]);
    expect(problems({ SOPHIA_USAGE_RAW_HOURS: '841' })[0]).toMatch(/^SOPHIA_USAGE_RAW_HOURS: 841 hours is longer than SOPHIA_USAGE_RETENTION_DAYS \(35 days = 840 hours\)/);
  });

  it('accepts a raw window up to the retention', () => {
    expect(problems({ SOPHIA_USAGE_RETENTION_DAYS: '2', SOPHIA_USAGE_RAW_HOURS: '48' })).toEqual([]);
    expect(problems({})).toEqual([]);
  });
});
