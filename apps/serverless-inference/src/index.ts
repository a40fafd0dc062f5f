export { createServerlessInferenceHandler, DEFAULT_CONCURRENCY, type ServerlessInferenceDeps } from './serverless-inference-handler.ts';
export { serverlessConfigSchema, serverlessDepsFromConfig, type ServerlessConfig } from './serverless-config.ts';
export { PROVIDER_PRESETS, isProviderName, type ProviderName, type ProviderPreset } from './provider-presets.ts';
export { resolveProviders, type ProviderSettings } from './providers/provider-settings.ts';
export { providerPrefsFrom, DEFAULT_PROVIDER_PREFS, type ProviderPrefs } from './providers/provider-preferences.ts';
export { rankOffers, effectivePrice, type RankInput, type Ranking } from './providers/rank-offers.ts';
