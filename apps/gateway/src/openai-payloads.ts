import type { RoutingDecision, Usage } from '@sophia/contracts/common';
import type { CatalogModel } from '@sophia/contracts/router';
import { BackendSchema, TierSchema } from '@sophia/contracts/common';
import { sophiaDecisionView, type SophiaDecisionView } from './decision-view.ts';

/** OpenAI `usage` object. */
export interface OpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** Identity shared by every chunk of one completion. */
export interface CompletionIdentity {
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
}

function usageOf(u: Usage | undefined): OpenAiUsage {
  return { prompt_tokens: u?.promptTokens ?? 0, completion_tokens: u?.completionTokens ?? 0, total_tokens: u?.totalTokens ?? 0 };
}

/** A `chat.completion` object, with the routing decision under `sophia`. */
export function chatCompletion(
  ident: CompletionIdentity,
  answer: { content: string; finishReason: string; usage: Usage | undefined; decision: RoutingDecision },
): {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: { role: 'assistant'; content: string }; finish_reason: string }>;
  usage: OpenAiUsage;
  sophia: SophiaDecisionView;
} {
  return {
    id: ident.id,
    object: 'chat.completion',
    created: ident.created,
    model: answer.decision.model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer.content }, finish_reason: answer.finishReason || 'stop' }],
    usage: usageOf(answer.usage),
    sophia: sophiaDecisionView(answer.decision),
  };
}

/** One `chat.completion.chunk`; `extra` carries `sophia` (first and final chunk) or `usage`. */
export function chatCompletionChunk(
  ident: CompletionIdentity,
  model: string,
  choice: { delta: { role?: 'assistant'; content?: string }; finishReason: string | null } | undefined,
  extra: { sophia?: SophiaDecisionView; usage?: OpenAiUsage } = {},
): Record<string, unknown> {
  return {
    id: ident.id,
    object: 'chat.completion.chunk',
    created: ident.created,
    model,
    choices: choice ? [{ index: 0, delta: choice.delta, finish_reason: choice.finishReason }] : [],
    ...extra,
  };
}

/** The usage chunk sent before `[DONE]` when `stream_options.include_usage` is set. */
export function usageChunk(ident: CompletionIdentity, model: string, usage: Usage | undefined): Record<string, unknown> {
  return chatCompletionChunk(ident, model, undefined, { usage: usageOf(usage) });
}

/** `GET /v1/models`: "auto" first, then the router's catalog. */
export function modelList(models: readonly CatalogModel[]): { object: 'list'; data: Array<Record<string, unknown>> } {
  return {
    object: 'list',
    data: [
      { id: 'auto', object: 'model', created: 0, owned_by: 'sophia', sophia: { description: 'the router chooses tier, model and backend per request' } },
      ...models.map((m) => ({
        id: m.id,
        object: 'model',
        created: 0,
        owned_by: m.ownedBy || 'sophia',
        sophia: {
          tier: TierSchema.value[m.tier]?.localName.toLowerCase() ?? 'unspecified',
          backends: m.backends.map((b) => BackendSchema.value[b]?.localName.toLowerCase() ?? 'unspecified'),
        },
      })),
    ],
  };
}
