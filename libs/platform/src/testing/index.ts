export { checkHealth, listServicesByReflection } from './grpc-probes.ts';
export {
  startRedisServer,
  startRedisSentinel,
  startRedisCluster,
  redisServerAvailable,
  type StartRedisServerOptions,
  type StartRedisSentinelOptions,
  type TestRedisCluster,
  type TestRedisServer,
} from './start-redis-server.ts';
export { unusedPort, ephemeralRangeStart } from './unused-port.ts';
export { scratchDir } from './scratch-dir.ts';
export { describeWithRedis, type RedisSuite } from './describe-with-redis.ts';
