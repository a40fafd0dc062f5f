export { createGpuInferenceHandler, type GpuInferenceDeps } from './gpu-inference-handler.ts';
export { createEndpointPool, type EndpointLease, type EndpointPool, type EndpointPoolOptions, type EndpointSnapshot } from './endpoint-pool.ts';
export { gpuConfigSchema, gpuOptionsFromConfig, type GpuConfig } from './gpu-config.ts';
export { maxMetric, parsePrometheusText, sumMetric, type PrometheusSample } from './parse-prometheus-text.ts';
