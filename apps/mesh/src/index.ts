export { serviceRegistry } from './service-registry.ts';
