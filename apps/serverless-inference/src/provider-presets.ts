/** A named OpenAI-compatible pay-per-token provider. */
export interface ProviderPreset {
  readonly baseUrl: string;
  /** Set when the provider no longer serves; kept so old configs fail loudly, not silently. */
  readonly deprecated?: string;
}

/**
 * Base URLs of providers known to speak the chat-completions API, so configuration can say
 * `SOPHIA_SERVERLESS_PROVIDER=together` instead of a URL. Base URL + key remain the contract;
 * nothing in the mesh depends on a preset.
 */
export const PROVIDER_PRESETS = {
  together: { baseUrl: 'https://api.together.xyz/v1' },
  fireworks: { baseUrl: 'https://api.fireworks.ai/inference/v1' },
  deepinfra: { baseUrl: 'https://api.deepinfra.com/v1/openai' },
  groq: { baseUrl: 'https://api.groq.com/openai/v1' },
  openrouter: { baseUrl: 'https://openrouter.ai/api/v1' },
  lambda: {
    baseUrl: 'https://api.lambda.ai/v1',
    deprecated: "Lambda's pay-per-token Inference API was shut down on 2025-09-25; use another provider",
  },
} as const satisfies Record<string, ProviderPreset>;

/** A preset's name. */
export type ProviderName = keyof typeof PROVIDER_PRESETS;

/** True when `name` is a known preset. */
export function isProviderName(name: string): name is ProviderName {
  return Object.hasOwn(PROVIDER_PRESETS, name);
}
