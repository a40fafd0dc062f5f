export { checkHealth, listServicesByReflection } from './grpc-probes.ts';
