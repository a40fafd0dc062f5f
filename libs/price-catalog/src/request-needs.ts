import { ResponseFormatType, type ChatMessage, type GenerationParams } from '@sophia/contracts/common';
import type { CatalogBackend, CatalogModel, OfferFeature } from './price-catalog.ts';

/** A feature a request needs, with the OpenAI parameter that needs it (for the 400 that names it). */
export interface FeatureNeed {
  readonly feature: OfferFeature;
  /** OpenAI parameter path, e.g. "tools", "messages[2].content[1]". */
  readonly param: string;
  /** What the parameter asks for, in words ("tool calling", "image input"). */
  readonly what: string;
}

/**
 * The catalog features a chat request needs, each with the first parameter that needs it. Pure:
 * the router filters targets with it, the serverless backend filters provider offers with it, so
 * a request is never sent where part of it would be silently dropped.
 */
export function requestNeeds(messages: readonly Pick<ChatMessage, 'parts' | 'toolCalls' | 'role'>[], params: GenerationParams | undefined): FeatureNeed[] {
  const needs: FeatureNeed[] = [];
  const add = (feature: OfferFeature, param: string, what: string): void => {
    if (!needs.some((n) => n.feature === feature)) needs.push({ feature, param, what });
  };
  messages.forEach((m, i) => {
    const image = m.parts.findIndex((p) => p.part.case === 'imageUrl');
    if (image >= 0) add('vision', `messages[${i}].content[${image}]`, 'image input');
    if (m.toolCalls.length > 0) add('tools', `messages[${i}].tool_calls`, 'tool calling');
  });
  if (!params) return needs;
  if (params.tools.length > 0) add('tools', 'tools', 'tool calling');
  const format = params.responseFormat?.type;
  if (format === ResponseFormatType.JSON_OBJECT || format === ResponseFormatType.JSON_SCHEMA) add('json', 'response_format', 'JSON output (response_format)');
  if (params.logprobs) add('logprobs', 'logprobs', 'log probabilities');
  if (params.frequencyPenalty !== undefined && params.frequencyPenalty !== 0) add('penalties', 'frequency_penalty', 'frequency_penalty');
  if (params.presencePenalty !== undefined && params.presencePenalty !== 0) add('penalties', 'presence_penalty', 'presence_penalty');
  if (Object.keys(params.logitBias).length > 0) add('logit_bias', 'logit_bias', 'logit_bias');
  if (params.seed !== undefined) add('seed', 'seed', 'a seed');
  if (params.n > 1) add('n', 'n', 'several choices (n > 1)');
  if (params.reasoningEffort !== '') add('reasoning', 'reasoning_effort', 'reasoning_effort');
  return needs;
}

/**
 * What one target can serve: on GPU, the vLLM serving's features; serverless, the union of the
 * model's provider offers (the serverless backend then keeps only the offers that have them all).
 * One-provider deployments without catalog offers are trusted with everything.
 */
export function targetFeatures(model: CatalogModel, backend: CatalogBackend): ReadonlySet<OfferFeature> {
  if (backend === 'gpu') return model.gpu?.features ?? new Set();
  if (model.offers.length === 0) return model.serverless === undefined ? new Set() : ALL;
  const union = new Set<OfferFeature>();
  for (const o of model.offers) for (const f of o.features) union.add(f);
  return union;
}

const ALL: ReadonlySet<OfferFeature> = new Set(['tools', 'json', 'logprobs', 'vision', 'penalties', 'logit_bias', 'seed', 'n', 'reasoning']);
