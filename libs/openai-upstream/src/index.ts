export { apiUrl, serverRoot } from './api-url.ts';
export type { ChatCompletionBody, ChatCompletionMessage, UpstreamChoiceDelta, UpstreamEvent, UpstreamUsage } from './chat-completion-types.ts';
export { createEmbeddings, type CreateEmbeddingsOptions, type EmbeddingsResult } from './create-embeddings.ts';
export { estimateUsage } from './estimate-usage.ts';
export { generateFromUpstream, type GenerateFromUpstreamOptions, type GenerateOutcome } from './generate-from-upstream.ts';
export { listUpstreamModels, type ListUpstreamModelsOptions } from './list-upstream-models.ts';
export { describeEndpoint, mapCallerAbort, mapHttpStatus, mapTransportError, parseRetryAfter } from './map-upstream-error.ts';
export { parseChatChunk, type ChatChunk } from './parse-chat-chunk.ts';
export { relayEvent, USAGE_ESTIMATED_TRAILER } from './relay-event.ts';
export { requestUpstreamText, type RequestUpstreamTextOptions } from './request-upstream-text.ts';
export { streamChatCompletion, type StreamChatCompletionOptions } from './stream-chat-completion.ts';
export { toChatCompletionBody } from './to-chat-completion-body.ts';
export { createUpstreamCall, type UpstreamCall, type UpstreamTimeouts } from './upstream-call.ts';
export { closeUpstreamDispatchers, DEFAULT_UPSTREAM_CONNECTIONS, getUpstreamDispatcher, type UpstreamDispatcherOptions } from './upstream-dispatcher.ts';
export { createAdmissionGate, GateBusyError, GateWaitTimeoutError, type AdmissionGate, type AdmissionGateOptions, type GateRelease } from './admission-gate.ts';
export {
  FAILURE_KIND_HEADER,
  PROVIDER_HEADER,
  isBackendFailure,
  RETRY_AFTER_HEADER,
  retryAfterMs,
  upstreamError,
  upstreamFailureKind,
  UpstreamFailureKind,
} from './upstream-error.ts';
export { silentUpstreamLogger, type UpstreamLogger } from './upstream-logger.ts';
