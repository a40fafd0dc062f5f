export { createDescriptorIndex, type DescriptorIndex } from './descriptor-index.ts';
export { answerReflection, createReflectionService, createReflectionServiceV1Alpha } from './reflection-service.ts';
export { createHealthService, createHealthState, type HealthState } from './health-service.ts';
export { addGrpcTooling, answerUnimplementedGrpc, TOOLING_SERVICES } from './connect-grpc-tooling.ts';
