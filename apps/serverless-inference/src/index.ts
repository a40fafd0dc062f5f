export { createServerlessInferenceHandler, type ServerlessInferenceDeps } from './serverless-inference-handler.ts';
export { serverlessConfigSchema, serverlessDepsFromConfig, type ServerlessConfig } from './serverless-config.ts';
export { PROVIDER_PRESETS, isProviderName, type ProviderName, type ProviderPreset } from './provider-presets.ts';
export { createHealthTracker, type HealthTracker, type HealthTrackerOptions } from './health-tracker.ts';
