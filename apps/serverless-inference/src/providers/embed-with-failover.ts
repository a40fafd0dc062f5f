import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import type { EmbedRequest, EmbedResponse } from '@sophia/contracts/inference';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { EmbedResponseSchema } from '@sophia/contracts/inference';
import { createEmbeddings, isBackendFailure, type UpstreamLogger, type UpstreamTimeouts } from '@sophia/openai-upstream';
import type { ProviderOffer } from '@sophia/price-catalog';
import type { ProviderRuntime } from './provider-runtime.ts';

/** One provider that offers the embeddings model. */
export interface EmbedCandidate {
  readonly runtime: ProviderRuntime;
  readonly offer: ProviderOffer;
}

/**
 * Embeds on the cheapest available provider, moving to the next on a backend failure (through each
 * provider's breaker, like chat); a client error (400) ends at once, since another provider would
 * refuse it too. None left: UNAVAILABLE naming each provider's failure.
 */
export async function embedWithFailover(
  request: EmbedRequest,
  context: HandlerContext,
  candidates: readonly EmbedCandidate[],
  options: { readonly timeouts: UpstreamTimeouts; readonly logger: UpstreamLogger },
): Promise<MessageInitShape<typeof EmbedResponseSchema> & Pick<EmbedResponse, 'endpoint'>> {
  const now = Date.now();
  const failures: string[] = [];
  const ranked = [...candidates].sort((a, b) => a.offer.inputMicroUsdPerMTok - b.offer.inputMicroUsdPerMTok || a.offer.provider.localeCompare(b.offer.provider));
  for (const { runtime, offer } of ranked) {
    const name = runtime.settings.name;
    const unavailable = runtime.unavailable(now);
    if (unavailable) {
      failures.push(`${name}: ${unavailable.reason === 'breaker_open' ? 'circuit breaker open' : 'rate-limited'}`);
      continue;
    }
    try {
      const result = await runtime.guard(() =>
        createEmbeddings({
          baseUrl: runtime.settings.baseUrl,
          ...(runtime.settings.apiKey ? { apiKey: runtime.settings.apiKey } : {}),
          model: offer.providerModel,
          input: request.input,
          ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
          user: request.user || request.tenant,
          timeouts: options.timeouts,
          signal: context.signal,
          dispatcher: runtime.dispatcher,
          ...(request.requestId ? { headers: { 'x-request-id': request.requestId } } : {}),
        }),
      );
      return { data: result.vectors.map((values) => ({ values })), usage: result.usage, endpoint: name, upstreamModel: result.upstreamModel };
    } catch (err) {
      if (context.signal.aborted) throw new ConnectError('client cancelled', Code.Canceled);
      const breakerOpen = err instanceof Error && (err as { code?: string }).code === 'EOPENBREAKER';
      if (!breakerOpen && !isBackendFailure(err)) throw err;
      const message = breakerOpen ? 'circuit breaker open' : ConnectError.from(err).rawMessage;
      runtime.noteError(message);
      failures.push(`${name}: ${message}`);
      options.logger.warn({ err, provider: name, model: request.model, requestId: request.requestId }, 'embeddings failed; trying the next provider');
    }
  }
  throw new ConnectError(`no serverless provider could embed with "${request.model}": ${failures.join('; ') || 'none configured'}`, Code.Unavailable);
}
