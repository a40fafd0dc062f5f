export { parseRedisTarget, redisTargetSchema, describeRedisTarget, type RedisTarget, type RedisHostPort } from './redis-target.ts';
export { connectRedis, type ConnectRedisOptions } from './connect-redis.ts';
