import CircuitBreaker from 'opossum';
import type { Dispatcher } from 'undici';
import { createAdmissionGate, getUpstreamDispatcher, isBackendFailure, type AdmissionGate } from '@sophia/openai-upstream';
import type { ProviderSettings } from './provider-settings.ts';

/** Breaker thresholds per provider (see docs/configuration.md). */
export interface ProviderBreakerOptions {
  /** Outcomes in the rolling window before the breaker may open. @default 3 */
  readonly volumeThreshold: number;
  /** Failure percentage that opens it. @default 50 */
  readonly errorThresholdPercentage: number;
  /** Open → half-open probe after this long, so traffic returns after recovery. @default 2000 */
  readonly resetTimeoutMs: number;
  /** Rolling window. @default 10000 */
  readonly rollingWindowMs: number;
}

/** Why a provider is skipped right now, or undefined when it may be tried. */
export type Unavailability = { readonly reason: 'breaker_open' } | { readonly reason: 'rate_limited'; readonly untilMs: number };

/** Live state of one configured provider: its pool, in-flight gate, breaker, 429 cooldown and observed speed. */
export interface ProviderRuntime {
  readonly settings: ProviderSettings;
  readonly dispatcher: Dispatcher;
  readonly gate: AdmissionGate;
  /** Runs the pre-first-token phase through the breaker; rejects at once while it is open. */
  guard<T>(firstEvent: () => Promise<T>): Promise<T>;
  unavailable(now: number): Unavailability | undefined;
  breakerState(): 'closed' | 'open' | 'half_open';
  /** A 429: skip this provider (its key) until `now + retryAfterMs`. */
  rateLimited(now: number, retryAfterMs: number): void;
  /** Observed time to first token (EWMA, ms); undefined before the first answer. */
  ttftMs(): number | undefined;
  /** Observed output tokens per second (EWMA); undefined before the first complete answer. */
  tokensPerSecond(): number | undefined;
  /** A first token arrived `ms` after the request was sent, at epoch ms `at` (also a sign of life). */
  observeFirstToken(ms: number, at: number): void;
  /** The provider started the answer of a request sent at epoch ms `sentAt` (response headers) at epoch ms `at`. */
  noteAlive(at: number, sentAt: number): void;
  /** The latest send time (epoch ms) among requests whose answer it has started: one sent after a request still waiting was not lost. */
  newestStartedSentAt(): number;

  /** When the provider last showed it is answering — a started response or a first token, for any request (epoch ms; 0 = never). */
  lastAliveAt(): number;
  /** When the provider last produced a first token for any request (epoch ms; 0 = never): busy, or stuck? */
  lastFirstTokenAt(): number;
  observeCompletion(completionTokens: number, streamMs: number): void;
  lastError(): string;
  noteError(message: string): void;
  shutdown(): void;
}

const EWMA = 0.2;

/** Builds a provider's runtime from its settings. */
export function createProviderRuntime(
  settings: ProviderSettings,
  options: { breaker: ProviderBreakerOptions; connectTimeoutMs: number; onWait?: (ms: number) => void },
): ProviderRuntime {
  const dispatcher = getUpstreamDispatcher(settings.baseUrl, {
    connectTimeoutMs: options.connectTimeoutMs,
    connections: settings.connections,
    allowH2: settings.http2,
  });
  const gate = createAdmissionGate({
    name: `provider ${settings.name}`,
    limit: settings.maxInFlight,
    queueLimit: settings.queueLimit,
    ...(options.onWait ? { onWait: options.onWait } : {}),
  });
  const breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
    timeout: false,
    volumeThreshold: options.breaker.volumeThreshold,
    errorThresholdPercentage: options.breaker.errorThresholdPercentage,
    resetTimeout: options.breaker.resetTimeoutMs,
    rollingCountTimeout: options.breaker.rollingWindowMs,
    // Client errors, cancellations and "busy" are not the provider failing.
    errorFilter: (err: unknown) => !isBackendFailure(err),
  });
  let cooldownUntil = 0;
  let ttft: number | undefined;
  let tps: number | undefined;
  let lastError = '';
  let lastAlive = 0;
  let lastFirst = 0;
  let newestStarted = 0;
  return {
    settings,
    dispatcher,
    gate,
    guard: <T>(firstEvent: () => Promise<T>) => breaker.fire(firstEvent) as Promise<T>,
    unavailable(now) {
      if (breaker.opened) return { reason: 'breaker_open' };
      if (now < cooldownUntil) return { reason: 'rate_limited', untilMs: cooldownUntil };
      return undefined;
    },
    breakerState: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed'),
    rateLimited(now, retryAfterMs) {
      cooldownUntil = Math.max(cooldownUntil, now + retryAfterMs);
    },
    ttftMs: () => ttft,
    tokensPerSecond: () => tps,
    observeFirstToken(ms, at) {
      ttft = ttft === undefined ? ms : ttft * (1 - EWMA) + ms * EWMA;
      lastAlive = Math.max(lastAlive, at);
      lastFirst = Math.max(lastFirst, at);
      newestStarted = Math.max(newestStarted, at - ms);
    },
    noteAlive(at, sentAt) {
      lastAlive = Math.max(lastAlive, at);
      newestStarted = Math.max(newestStarted, sentAt);
    },
    newestStartedSentAt: () => newestStarted,
    lastAliveAt: () => lastAlive,
    lastFirstTokenAt: () => lastFirst,
    observeCompletion(tokens, streamMs) {
      if (tokens <= 0 || streamMs <= 0) return;
      const rate = (tokens * 1000) / streamMs;
      tps = tps === undefined ? rate : tps * (1 - EWMA) + rate * EWMA;
      lastError = '';
    },
    lastError: () => (breaker.closed ? '' : lastError),
    noteError(message) {
      lastError = message;
    },
    shutdown: () => breaker.shutdown(),
  };
}
