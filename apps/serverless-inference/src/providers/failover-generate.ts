import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import type { GenerateRequest, GenerateResponseSchema } from '@sophia/contracts/inference';
import {
  FAILURE_KIND_HEADER,
  GateBusyError,
  GateWaitTimeoutError,
  generateFromUpstream,
  isBackendFailure,
  mapCallerAbort,
  PROVIDER_HEADER,
  RETRY_AFTER_HEADER,
  retryAfterMs,
  upstreamError,
  upstreamFailureKind,
  UpstreamFailureKind,
  type UpstreamLogger,
  type UpstreamTimeouts,
} from '@sophia/openai-upstream';
import type { ProviderOffer } from '@sophia/price-catalog';
import { nodeWatchdogScheduler, watchAttempt, type WatchdogScheduler } from './attempt-watchdog.ts';
import type { ProviderMetrics } from './provider-metrics.ts';
import type { ProviderRuntime } from './provider-runtime.ts';
import type { ProviderTtft } from './provider-ttft.ts';

type Response = MessageInitShape<typeof GenerateResponseSchema>;

/** One provider to try, with the offer (model name) to ask it for. */
export interface FailoverCandidate {
  readonly runtime: ProviderRuntime;
  readonly offer: ProviderOffer;
}

/** Options of {@link generateWithFailover}. */
export interface FailoverOptions {
  readonly request: GenerateRequest;
  readonly context: HandlerContext;
  /** Ranked, best first. */
  readonly candidates: readonly FailoverCandidate[];
  readonly timeouts: UpstreamTimeouts;
  /** Per-provider learned first-token limits (see provider-ttft.ts). */
  readonly ttft: ProviderTtft;
  readonly logger: UpstreamLogger;
  readonly metrics?: ProviderMetrics;
  /** Reasons providers were skipped before the loop (for the final error's message). */
  readonly skipped?: readonly string[];
  /** Clock and timers of the attempt watchdogs (tests inject a fake). @default nodeWatchdogScheduler */
  readonly scheduler?: WatchdogScheduler;
  /** Told the completion tokens of the answer that finished (the caller's running mean), so it need not wrap the stream. */
  readonly onCompleted?: (completionTokens: number) => void;
}

function isOpenCircuit(err: unknown): boolean {
  return err instanceof Error && (err as { code?: string }).code === 'EOPENBREAKER';
}

/**
 * Streams the answer from the first provider that produces a first token: a provider that fails
 * before it (refused, 5xx, 429, silent past its first-token budget, busy queue, breaker open) is
 * left for the next one within the request's deadline; after the first token the stream is that
 * provider's (a later break is the router's mid-stream rescue). When none is left the error is
 * UNAVAILABLE — or RESOURCE_EXHAUSTED with `retry-after-ms` when every provider was rate-limited or
 * busy — naming each provider's failure, so the router moves to GPU or tells the client to retry.
 * Client errors (400, cancellation) end the request at once: another provider would refuse it too.
 */
export async function* generateWithFailover(options: FailoverOptions): AsyncGenerator<Response, void, undefined> {
  const { request, context, candidates } = options;
  const scheduler = options.scheduler ?? nodeWatchdogScheduler;
  const now = (): number => scheduler.now();
  const timeoutMs = context.timeoutMs();
  const deadlineAt = timeoutMs === undefined ? undefined : now() + timeoutMs;
  const failures: string[] = [...(options.skipped ?? [])];
  const attemptErrors: unknown[] = [];
  let lastErr: unknown;
  let soonestRetryMs: number | undefined;
  let allThrottled = true;
  const throttled = (ms: number): void => {
    soonestRetryMs = soonestRetryMs === undefined ? ms : Math.min(soonestRetryMs, ms);
  };

  for (const [i, { runtime, offer }] of candidates.entries()) {
    const name = runtime.settings.name;
    const last = i === candidates.length - 1;
    if (context.signal.aborted) throw mapCallerAbort(context.signal.reason, name);
    const remaining = deadlineAt === undefined ? undefined : deadlineAt - now();
    if (remaining !== undefined && remaining <= 0) break;

    let release: () => void;
    try {
      release = await runtime.gate.acquire(context.signal, remaining);
    } catch (err) {
      if (err instanceof GateBusyError || err instanceof GateWaitTimeoutError) {
        failures.push(`${name}: ${err.message}`);
        throttled(err instanceof GateBusyError ? err.retryAfterMs : 1000);
        options.metrics?.attempts.inc({ provider: name, outcome: 'busy' });
        continue;
      }
      throw mapCallerAbort(context.signal.reason ?? err, name);
    }

    // Two watchdogs, both asking "is this provider working at all?" rather than "is it fast for me?".
    // Silence (only while another provider remains): past the failover budget learned from the
    // provider's own recent TTFTs, a request whose answer has not started, at a provider that has
    // shown no sign of life — a started answer or a first token, for any request — within the last
    // budget, is left for the next provider. First-token limit (every provider): past the learned
    // limit, a request still without its first token is left unless the provider produced a first
    // token for another request within the last limit — busy (a burst), not broken: it keeps
    // waiting, up to the configured SOPHIA_SERVERLESS_FIRST_TOKEN_TIMEOUT_MS, instead of timing out,
    // opening the breaker and cascading the burst onto the next provider and GPU. Both windows slide,
    // so a provider that stops is left within 1.25 × the budget or limit.
    const firstTokenMs = options.ttft.firstTokenLimitMs(name);
    const budget = last ? undefined : Math.min(firstTokenMs, options.ttft.failoverBudgetMs(name));
    const startedAt = now();
    const attempt = new AbortController();
    // Lost, not queued: when the provider has already started the answer of a request sent more than
    // a whole budget after this one (providers start answers — send headers — at once, whatever the
    // prompt), it black-holed this one, and the request moves on at the next check however alive the
    // provider is for others (a provider recovering from silence, or dropping some requests).
    // Checks judge only after pending network input is read, and a late check defers (attempt-watchdog.ts).
    let verdict: 'silent' | 'late' | 'lost' | undefined;
    const onVerdict = (v: 'silent' | 'late' | 'lost'): void => {
      verdict ??= v;
      attempt.abort();
    };
    const stopSilenceWatch =
      budget === undefined
        ? () => undefined
        : watchAttempt({ scheduler, windowMs: budget, startedAt, lastSign: () => runtime.lastAliveAt(), newerServedSentAt: () => runtime.newestStartedSentAt(), give: 'silent', onVerdict });
    // No "lost" rule for first tokens: a long prompt's prefill legitimately lets later, shorter requests overtake it.
    const stopFirstTokenWatch = watchAttempt({ scheduler, windowMs: firstTokenMs, startedAt, lastSign: () => runtime.lastFirstTokenAt(), newerServedSentAt: () => 0, give: 'late', onVerdict });
    const stopWatchdog = (): void => {
      stopSilenceWatch();
      stopFirstTokenWatch();
    };
    const upstream = generateFromUpstream({
      request,
      context: { ...context, signal: AbortSignal.any([context.signal, attempt.signal]) },
      upstreamModel: offer.providerModel,
      baseUrl: runtime.settings.baseUrl,
      endpoint: name,
      ...(runtime.settings.apiKey ? { apiKey: runtime.settings.apiKey } : {}),
      // The watchdog enforces the learned limit; the configured timeout is the hard cap.
      timeouts: { ...options.timeouts, firstTokenMs: Math.max(firstTokenMs, options.timeouts.firstTokenMs ?? firstTokenMs) },
      dispatcher: runtime.dispatcher,
      logger: options.logger,
      settle: () => release(),
      onResponse: () => {
        runtime.noteAlive(now(), startedAt);
        stopSilenceWatch(); // answering this request: no longer a silence question, its first-token limit governs
      },
    });
    const it = upstream[Symbol.asyncIterator]();
    let first: IteratorResult<Response>;
    try {
      first = await runtime.guard(async () => {
        try {
          return await it.next();
        } catch (err) {
          if (verdict === undefined || context.signal.aborted) throw err;
          const why =
            verdict === 'silent'
              ? `silent — no answer started within ${budget} ms, and no sign of life for any request in the last ${budget} ms`
              : verdict === 'lost'
                ? `lost — no answer started after ${now() - startedAt} ms while it started answers of requests sent after this one`
                : `no first token within ${firstTokenMs} ms (its learned limit), and none for any other request in the last ${firstTokenMs} ms`;
          throw upstreamError(Code.Unavailable, UpstreamFailureKind.TtftTimeout, `upstream ${name}: ${why}`, { cause: err });
        }
      });
      stopWatchdog();
    } catch (err) {
      stopWatchdog();
      await it.return(undefined).catch(() => undefined);
      release();
      lastErr = err;
      // Past its first-token limit while (possibly) answering others: it took at least this long, which
      // lifts a limit learned when it was faster. A silent provider (the watchdog) teaches nothing.
      if (verdict !== 'silent' && verdict !== 'lost' && upstreamFailureKind(err) === UpstreamFailureKind.TtftTimeout) options.ttft.censored(name, now() - startedAt);
      if (isOpenCircuit(err)) {
        failures.push(`${name}: circuit breaker open`);
        allThrottled = false;
        options.metrics?.attempts.inc({ provider: name, outcome: 'breaker_open' });
        continue;
      }
      const code = err instanceof ConnectError ? err.code : Code.Unknown;
      if (code === Code.ResourceExhausted) {
        const after = retryAfterMs(err) ?? 1000;
        runtime.rateLimited(now(), after);
        throttled(after);
      } else allThrottled = false;
      const message = err instanceof ConnectError ? err.rawMessage : String(err);
      runtime.noteError(message);
      attemptErrors.push(err);
      if (!isBackendFailure(err) || context.signal.aborted) throw err;
      failures.push(`${name}: ${message}`);
      options.metrics?.attempts.inc({ provider: name, outcome: code === Code.ResourceExhausted ? 'rate_limited' : 'failed' });
      continue;
    }
    const ttftMs = now() - startedAt;
    runtime.observeFirstToken(ttftMs, now());
    options.ttft.observe(name, ttftMs);
    options.metrics?.attempts.inc({ provider: name, outcome: 'served' });
    if (first.done) return;
    context.responseHeader.set(PROVIDER_HEADER, name); // sent with the first event: the router knows the provider before any token
    yield first.value;
    for (let next = await it.next(); !next.done; next = await it.next()) {
      const event = next.value.event;
      if (event?.case === 'done') {
        const tokens = event.value.usage?.completionTokens ?? 0;
        runtime.observeCompletion(tokens, now() - startedAt);
        options.onCompleted?.(tokens);
      }
      yield next.value;
    }
    return;
  }

  // One provider tried and nothing else in the way: its own error, with its precise code.
  if (attemptErrors.length === 1 && failures.length === 1) throw attemptErrors[0];
  const detail = failures.join('; ') || 'no provider was tried';
  if (deadlineAt !== undefined && now() >= deadlineAt) {
    throw new ConnectError(`no serverless provider answered model "${request.model}" within the deadline: ${detail}`, Code.DeadlineExceeded);
  }
  const metadata = new Headers();
  const kind = upstreamFailureKind(lastErr);
  if (kind !== undefined) metadata.set(FAILURE_KIND_HEADER, kind);
  if (allThrottled && soonestRetryMs !== undefined) {
    metadata.set(RETRY_AFTER_HEADER, String(soonestRetryMs));
    metadata.set(FAILURE_KIND_HEADER, 'http-429');
    throw new ConnectError(`every serverless provider for model "${request.model}" is busy or rate-limited: ${detail}`, Code.ResourceExhausted, metadata);
  }
  if (kind === undefined) metadata.set(FAILURE_KIND_HEADER, 'connect-refused');
  throw new ConnectError(`no serverless provider could serve model "${request.model}": ${detail}`, Code.Unavailable, metadata);
}
