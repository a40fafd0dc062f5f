import type { RoutingDecision, Usage } from '@sophia/contracts/common';
import type { CatalogModel } from '@sophia/contracts/router';
import { BackendSchema, TierSchema } from '@sophia/contracts/common';
import { sophiaDecisionView, type SophiaDecisionView } from './decision-view.ts';
import type { AccumulatedChoice } from './openai-compat/choice-accumulator.ts';
import { choiceJson, type OpenAiChoice } from './openai-compat/openai-choice-json.ts';

/** OpenAI `usage` object; `prompt_tokens_details.cached_tokens`: prompt tokens the provider served from its prompt cache (billed at its cached-input rate). */
export interface OpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
}

/** Identity shared by every chunk of one completion. */
export interface CompletionIdentity {
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
}

function usageOf(u: Usage | undefined): OpenAiUsage {
  return {
    prompt_tokens: u?.promptTokens ?? 0,
    completion_tokens: u?.completionTokens ?? 0,
    total_tokens: u?.totalTokens ?? 0,
    prompt_tokens_details: { cached_tokens: u?.cachedPromptTokens ?? 0 },
  };
}

/** A `chat.completion` object, with the routing decision under `sophia`. */
export function chatCompletion(
  ident: CompletionIdentity,
  answer: { choices: readonly AccumulatedChoice[]; withLogprobs: boolean; usage: Usage | undefined; decision: RoutingDecision },
): {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: OpenAiChoice[];
  usage: OpenAiUsage;
  sophia: SophiaDecisionView;
} {
  return {
    id: ident.id,
    object: 'chat.completion',
    created: ident.created,
    model: answer.decision.model,
    choices: answer.choices.map((c) => choiceJson(c, answer.withLogprobs)),
    usage: usageOf(answer.usage),
    sophia: sophiaDecisionView(answer.decision),
  };
}

/** Choice 0 of a chunk carrying plain text (or only a role, or only its finish reason). */
export function textChoice(delta: { role?: 'assistant'; content?: string }, finishReason: string | null): Record<string, unknown> {
  return { index: 0, delta, logprobs: null, finish_reason: finishReason };
}

/** One `chat.completion.chunk` with one choice (OpenAI's shape); `extra` carries `sophia` (first and final chunk) or `usage`. */
export function chatCompletionChunk(
  ident: CompletionIdentity,
  model: string,
  choice: Record<string, unknown> | undefined,
  extra: { sophia?: SophiaDecisionView; usage?: OpenAiUsage } = {},
): Record<string, unknown> {
  return {
    id: ident.id,
    object: 'chat.completion.chunk',
    created: ident.created,
    model,
    choices: choice === undefined ? [] : [choice],
    ...extra,
  };
}

/**
 * The JSON of a choice-0 text chunk of one stream, rendered once up to the text: per token only the
 * text is escaped. Byte-identical to `JSON.stringify(chatCompletionChunk(ident, model, textChoice({ content: text }, null)))`
 * (built from it), at a sixth of its cost — this runs for every token of every stream.
 */
export function textChunkRenderer(ident: CompletionIdentity, model: string): (text: string) => string {
  const empty = JSON.stringify(chatCompletionChunk(ident, model, textChoice({ content: '' }, null)));
  // The id and model are JSON strings, so an unescaped `"content":""` can only be the delta's.
  const at = empty.indexOf('"content":""') + '"content":'.length;
  const head = empty.slice(0, at);
  const tail = empty.slice(at + 2);
  return (text) => head + JSON.stringify(text) + tail;
}

/** The usage chunk sent before `[DONE]` when `stream_options.include_usage` is set. */
export function usageChunk(ident: CompletionIdentity, model: string, usage: Usage | undefined): Record<string, unknown> {
  return chatCompletionChunk(ident, model, undefined, { usage: usageOf(usage) });
}

/** One `model` object: OpenAI's fields, and under `sophia` what the mesh knows (kind, tier, backends, features). */
export function modelEntry(m: CatalogModel): Record<string, unknown> {
  return {
    id: m.id,
    object: 'model',
    created: 0,
    owned_by: m.ownedBy || 'sophia',
    sophia: {
      kind: m.kind || 'chat',
      tier: TierSchema.value[m.tier]?.localName.toLowerCase() ?? 'unspecified',
      backends: m.backends.map((b) => BackendSchema.value[b]?.localName.toLowerCase() ?? 'unspecified'),
      features: [...m.features],
      ...(m.contextWindow > 0 ? { context_window: m.contextWindow } : {}),
    },
  };
}

/** `GET /v1/models`: "auto" first, then the router's catalog (chat and embeddings models). */
export function modelList(models: readonly CatalogModel[]): { object: 'list'; data: Array<Record<string, unknown>> } {
  return {
    object: 'list',
    data: [{ id: 'auto', object: 'model', created: 0, owned_by: 'sophia', sophia: { kind: 'chat', description: 'the router chooses tier, model and backend per request' } }, ...models.map(modelEntry)],
  };
}
