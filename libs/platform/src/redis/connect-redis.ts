import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { describeRedisTarget, type RedisTarget } from './redis-target.ts';

/** What connectRedis needs besides the target. */
export interface ConnectRedisOptions {
  /** ioredis options for the data connection (timeouts, retries); connection fields come from the target. */
  readonly options?: RedisOptions;
  /** Told about connection errors after start (ioredis reconnects by itself). */
  readonly onError?: (err: Error) => void;
  /** Names the setting in the start-up error. @default "SOPHIA_REDIS_URL" */
  readonly settingName?: string;
}

/** ioredis options for a single-endpoint target: the URL's own fields, or the sentinels and the primary's name. */
function redisClientOptions(target: Exclude<RedisTarget, { kind: 'cluster' }>, options: RedisOptions): { url?: string; options: RedisOptions } {
  if (target.kind === 'server') return { url: target.url, options };
  return {
    options: {
      ...options,
      sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: target.name,
      ...(target.password ? { password: target.password } : {}),
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
    },
  };
}

function createClient(target: RedisTarget, options: RedisOptions): Redis | Cluster {
  if (target.kind === 'cluster') {
    // Per-node options (timeouts, retries, auth, TLS) go to every node connection the cluster opens.
    const redisOptions = { ...options, ...(target.password ? { password: target.password } : {}), ...(target.tls ? { tls: {} } : {}) };
    return new Cluster(
      target.nodes.map((n) => ({ host: n.host, port: n.port })),
      { lazyConnect: true, redisOptions },
    );
  }
  const { url, options: clientOptions } = redisClientOptions(target, options);
  return url === undefined ? new Redis(clientOptions) : new Redis(url, clientOptions);
}

/**
 * Connects to the target and resolves once the connection is ready; fails fast (closing the client)
 * with an Error naming the setting and where it points, never the password. With Sentinel, ioredis asks
 * the sentinels for the current primary on every (re)connect, so a failover is followed by itself; with
 * Cluster, the client follows slot moves and failovers from the cluster's own redirections.
 */
export async function connectRedis(target: RedisTarget, options: ConnectRedisOptions = {}): Promise<Redis | Cluster> {
  const redis = createClient(target, { ...options.options, lazyConnect: true });
  if (options.onError) redis.on('error', options.onError);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`${options.settingName ?? 'SOPHIA_REDIS_URL'}: cannot connect to Redis at ${describeRedisTarget(target)}: ${(err as Error).message}`);
  }
  return redis;
}
