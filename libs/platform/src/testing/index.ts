export { checkHealth, listServicesByReflection } from './grpc-probes.ts';
export { startRedisServer, redisServerAvailable, type TestRedisServer } from './start-redis-server.ts';
export { unusedPort, ephemeralRangeStart } from './unused-port.ts';
