import { z } from 'zod';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { ProviderSort, type GenerationParamsSchema } from '@sophia/contracts/common';
import { chatMessageSchema, type ParsedChatMessage } from './openai-compat/chat-message-schema.ts';
import { chatOptions, chatOptionsShape } from './openai-compat/chat-options-schema.ts';
import { generationParamsProblem } from '@sophia/platform/request-rules';

export type { ParsedChatMessage } from './openai-compat/chat-message-schema.ts';

/** Sampling, output shape and tools as the router takes them (the proto `GenerationParams` init shape). */
export type ParsedGenerationParams = MessageInitShape<typeof GenerationParamsSchema> & { readonly stop: string[] };

/** A validated `POST /v1/chat/completions` body. */
export interface ChatCompletionRequest {
  /** Explicit catalog model, or "" when the client sent none or "auto" (the router chooses). */
  readonly model: string;
  readonly messages: ParsedChatMessage[];
  readonly params: ParsedGenerationParams;
  readonly stream: boolean;
  /** `stream_options.include_usage`: send a usage chunk before `[DONE]`. */
  readonly includeUsage: boolean;
  /** `metadata.workload`, when given. */
  readonly workload: string | undefined;
  /** The `provider` object (OpenRouter's shape), when given; names are checked by the serverless backend. */
  readonly provider?: ParsedProviderPrefs;
}

/** Serverless provider preferences as the router takes them (`sort` as the proto enum number). */
export interface ParsedProviderPrefs {
  readonly order: string[];
  readonly only: string[];
  readonly ignore: string[];
  readonly sort: ProviderSort;
  readonly maxPrice?: { prompt?: number; completion?: number };
  readonly allowFallbacks?: boolean;
}

/** A schema failure in OpenAI terms: `param` is the JSON path ("messages[0].content"). */
export interface RequestProblem {
  readonly message: string;
  readonly param: string | null;
}

/** Workload labels: short and from a small alphabet, since they become report keys. */
export const WORKLOAD_TAG = /^[A-Za-z0-9._:/-]{1,64}$/;

const MAX_UINT32 = 4_294_967_295;

const stop = z.unknown().transform((v, ctx): string[] => {
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length > 4 || list.some((s) => typeof s !== 'string' || s.length === 0)) {
    ctx.addIssue({ code: 'custom', message: 'must be a non-empty string or an array of at most 4 non-empty strings' });
    return z.NEVER;
  }
  return list as string[];
});

const tokenLimit = z
  .number({ error: 'must be an integer' })
  .int({ error: 'must be an integer' })
  .min(1, { error: 'must be at least 1' })
  .max(MAX_UINT32, { error: `must be at most ${MAX_UINT32}` })
  .nullish();

/** OpenAI parameters the mesh cannot honour: refused with a 400 naming them, never dropped. */
const UNSERVED: Readonly<Record<string, string>> = {
  functions: 'is deprecated by OpenAI and not served; use tools',
  function_call: 'is deprecated by OpenAI and not served; use tool_choice',
  audio: 'audio output is not served by this gateway',
  prediction: 'predicted outputs are not served by this gateway',
  web_search_options: 'web search is not served by this gateway',
  verbosity: 'is not served by this gateway (no catalog model takes it)',
};
/** OpenAI parameters that do not change the answer: accepted and not forwarded (docs/openai-compatibility.md). */
const ACCEPTED_NOT_FORWARDED = ['store', 'service_tier', 'prompt_cache_key', 'safety_identifier'] as const;

const providerNames = z.array(z.string({ error: 'must be a provider name' }).min(1, { error: 'must be a provider name' }), { error: 'must be an array of provider names' }).max(32, { error: 'at most 32 providers' });
const usdPerMTok = z.number({ error: 'must be a number of US dollars per million tokens' }).min(0, { error: 'must not be negative' }).optional();
const SORTS = { price: ProviderSort.PRICE, latency: ProviderSort.LATENCY, throughput: ProviderSort.THROUGHPUT } as const;
const providerPrefs = z.strictObject(
  {
    order: providerNames.optional(),
    only: providerNames.optional(),
    ignore: providerNames.optional(),
    sort: z.enum(['price', 'latency', 'throughput'], { error: 'must be one of price, latency, throughput' }).optional(),
    max_price: z.strictObject({ prompt: usdPerMTok, completion: usdPerMTok }, { error: 'must be an object with prompt and/or completion' }).optional(),
    allow_fallbacks: z.boolean({ error: 'must be a boolean' }).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unsupported field ${issue.keys.map((k) => `"${k}"`).join(', ')}; supported: order, only, ignore, sort, max_price, allow_fallbacks`
        : 'must be an object (order, only, ignore, sort, max_price, allow_fallbacks)',
  },
);

const bodySchema = z
  .object(
    {
      model: z.string({ error: 'must be a string' }).max(256, { error: 'must be at most 256 characters' }).nullish(),
      messages: z
        .array(chatMessageSchema, { error: 'must be an array of messages' })
        .min(1, { error: 'must contain at least one message' }),
      max_tokens: tokenLimit,
      max_completion_tokens: tokenLimit,
      // Ranges: the shared request rules below (one module for every hop).
      temperature: z.number({ error: 'must be a number' }).nullish(),
      top_p: z.number({ error: 'must be a number' }).nullish(),
      stop: stop.optional(),
      seed: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).nullish(),
      stream: z.boolean({ error: 'must be a boolean' }).nullish(),
      stream_options: z.object({ include_usage: z.boolean({ error: 'must be a boolean' }).nullish() }, { error: 'must be an object' }).loose().nullish(),
      metadata: z
        .object({ workload: z.string({ error: 'must be a string' }).regex(WORKLOAD_TAG, { error: `must match ${WORKLOAD_TAG.source}` }).optional() }, { error: 'must be an object' })
        .loose()
        .nullish(),
      provider: providerPrefs.nullish(),
      modalities: z
        .array(z.string())
        .refine((m) => m.every((x) => x === 'text'), { error: 'only ["text"] is served by this gateway' })
        .nullish(),
      ...chatOptionsShape,
      ...Object.fromEntries(ACCEPTED_NOT_FORWARDED.map((k) => [k, z.unknown().optional()])),
      ...Object.fromEntries(Object.entries(UNSERVED).map(([k, why]) => [k, z.unknown().refine((v) => v === undefined || v === null, { error: why }).optional()])),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' ? `Unrecognized request argument supplied: ${issue.keys.join(', ')}` : 'request body must be a JSON object',
    },
  )
  .strict();

/**
 * Every top-level chat-completions parameter the gateway knows — used, forwarded, accepted or refused
 * by name; anything else is `Unrecognized request argument`. docs/openai-compatibility.md lists what
 * happens to each (a test keeps the two in step).
 */
export const CHAT_COMPLETION_PARAMETERS: readonly string[] = Object.keys(bodySchema.shape);

/** Formats a zod path the way OpenAI names params: `messages[0].content`. */
export function paramPath(path: readonly PropertyKey[]): string | null {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out || null;
}

/**
 * Validates a parsed JSON body against the subset of the OpenAI chat-completions API the mesh
 * serves. The first problem is reported with its param path, so a client sees exactly which field
 * to fix; unknown fields OpenAI defines but that do not change the answer are ignored.
 */
export function parseChatCompletionRequest(body: unknown): { ok: true; request: ChatCompletionRequest } | { ok: false; problem: RequestProblem } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problem: { message: `request body must be a JSON object, got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}`, param: null } };
  }
  const result = bodySchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const param = paramPath(unknownKey === undefined ? issue.path : [...issue.path, unknownKey]);
    if (unknownKey !== undefined) return { ok: false, problem: { message: issue.message, param } };
    return { ok: false, problem: { message: param ? `${param}: ${issue.message}` : issue.message, param } };
  }
  const b = result.data;
  const options = chatOptions(b);
  if (!options.ok) return { ok: false, problem: options.problem };
  const maxTokens = b.max_completion_tokens ?? b.max_tokens ?? undefined;
  const params: ParsedGenerationParams = {
    ...options.options,
    stop: b.stop ?? [],
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(b.temperature !== undefined && b.temperature !== null ? { temperature: b.temperature } : {}),
    ...(b.top_p !== undefined && b.top_p !== null ? { topP: b.top_p } : {}),
    ...(b.seed !== undefined && b.seed !== null ? { seed: BigInt(b.seed) } : {}),
  };
  const broken = generationParamsProblem(params);
  if (broken) return { ok: false, problem: { message: `${broken.param}: ${broken.message}`, param: broken.param } };
  const model = b.model ?? '';
  return {
    ok: true,
    request: {
      model: model === 'auto' ? '' : model,
      messages: b.messages,
      params,
      stream: b.stream ?? false,
      includeUsage: b.stream_options?.include_usage ?? false,
      workload: b.metadata?.workload,
      ...(b.provider
        ? {
            provider: {
              order: b.provider.order ?? [],
              only: b.provider.only ?? [],
              ignore: b.provider.ignore ?? [],
              sort: b.provider.sort ? SORTS[b.provider.sort] : ProviderSort.UNSPECIFIED,
              ...(b.provider.max_price ? { maxPrice: { ...(b.provider.max_price.prompt !== undefined ? { prompt: b.provider.max_price.prompt } : {}), ...(b.provider.max_price.completion !== undefined ? { completion: b.provider.max_price.completion } : {}) } } : {}),
              ...(b.provider.allow_fallbacks !== undefined ? { allowFallbacks: b.provider.allow_fallbacks } : {}),
            },
          }
        : {}),
    },
  };
}
