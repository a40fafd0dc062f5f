import { Redis, type RedisOptions } from 'ioredis';
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

/** ioredis options for a target: the URL's own fields, or the sentinels and the primary's name. */
export function redisClientOptions(target: RedisTarget, options: RedisOptions = {}): { url?: string; options: RedisOptions } {
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

/**
 * Connects to the target and resolves once the connection is ready; fails fast (closing the client)
 * with an Error naming the setting and where it points, never the password. With Sentinel, ioredis asks
 * the sentinels for the current primary on every (re)connect, so a failover is followed by itself.
 */
export async function connectRedis(target: RedisTarget, options: ConnectRedisOptions = {}): Promise<Redis> {
  const { url, options: clientOptions } = redisClientOptions(target, { ...options.options, lazyConnect: true });
  const redis = url === undefined ? new Redis(clientOptions) : new Redis(url, clientOptions);
  if (options.onError) redis.on('error', options.onError);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`${options.settingName ?? 'SOPHIA_REDIS_URL'}: cannot connect to Redis at ${describeRedisTarget(target)}: ${(err as Error).message}`);
  }
  return redis;
}
