export { checkHealth, listServicesByReflection } from './grpc-probes.ts';
export {
  startRedisServer,
  startRedisSentinel,
  redisServerAvailable,
  type StartRedisServerOptions,
  type StartRedisSentinelOptions,
  type TestRedisServer,
} from './start-redis-server.ts';
export { unusedPort, ephemeralRangeStart } from './unused-port.ts';
