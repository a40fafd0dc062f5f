/** A serverless provider played by an upstream simulator in `npm start`. */
export interface SimulatedProvider {
  /** A catalog provider name: its offers (prices, model names) are the catalog's. */
  readonly name: string;
  /** Time to first token the simulator plays, so the two differ in latency as in price. */
  readonly ttftMs: number;
}

/**
 * The providers `npm start` simulates: DeepInfra (the cheaper offer for every model both serve, e.g.
 * Llama-3.1-8B at $0.03/$0.05 per M) and Fireworks ($0.20/$0.20, the only one of the two with
 * 405B), with Fireworks the faster, so a newcomer sees the cheaper one take the traffic and the
 * other take over when it fails. Every simulated answer says it is simulated.
 */
export const SIMULATED_PROVIDERS: readonly SimulatedProvider[] = [
  { name: 'deepinfra', ttftMs: 60 },
  { name: 'fireworks', ttftMs: 20 },
];
