/**
 * Time to first token each simulated provider plays, so simulated providers differ in latency as
 * well as in price (their prices and model names are the catalog's offers). Names not listed play 30 ms.
 */
export const SIMULATED_PROVIDER_TTFT_MS: Readonly<Record<string, number>> = {
  deepinfra: 60,
  fireworks: 20,
  together: 40,
  groq: 10,
  openrouter: 50,
};

/**
 * The providers `npm start` simulates: DeepInfra (the cheaper offer for every model both serve, e.g.
 * Llama-3.1-8B at $0.03/$0.05 per M) and Fireworks ($0.20/$0.20, the only one of the two with
 * 405B), Fireworks the faster, so a newcomer sees the cheaper one take the traffic and the other
 * take over when it fails. Every simulated answer says it is simulated.
 */
export const DEFAULT_SIMULATED_PROVIDERS: readonly string[] = ['deepinfra', 'fireworks'];
