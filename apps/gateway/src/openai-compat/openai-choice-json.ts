import type { ChoiceDelta, TokenLogprob, TopLogprob } from '@sophia/contracts/common';
import type { AccumulatedChoice } from './choice-accumulator.ts';

/** OpenAI's `logprobs` object of a choice. */
export interface OpenAiLogprobs {
  readonly content: Array<{ token: string; logprob: number; bytes: number[] | null; top_logprobs: Array<{ token: string; logprob: number; bytes: number[] | null }> }>;
  readonly refusal: null;
}

/** A choice of a `chat.completion` answer. */
export interface OpenAiChoice {
  readonly index: number;
  readonly message: {
    role: 'assistant';
    content: string | null;
    refusal: string | null;
    tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  };
  readonly logprobs: OpenAiLogprobs | null;
  readonly finish_reason: string;
}

const bytesOf = (b: Uint8Array): number[] | null => (b.length === 0 ? null : [...b]);
const top = (t: Pick<TopLogprob, 'token' | 'logprob' | 'bytes'>) => ({ token: t.token, logprob: t.logprob, bytes: bytesOf(t.bytes) });

/** Token log probabilities in OpenAI's shape. */
export function logprobsJson(list: readonly TokenLogprob[]): OpenAiLogprobs {
  return { content: list.map((l) => ({ ...top(l), top_logprobs: l.topLogprobs.map(top) })), refusal: null };
}

/**
 * A whole choice in OpenAI's shape: `content` is null when the model only called tools (as OpenAI
 * answers), `logprobs` is present only when they were asked for.
 */
export function choiceJson(c: AccumulatedChoice, withLogprobs: boolean): OpenAiChoice {
  const calls = c.toolCalls.map((t) => ({ id: t.id, type: 'function' as const, function: { name: t.name, arguments: t.arguments } }));
  return {
    index: c.index,
    message: {
      role: 'assistant',
      content: calls.length > 0 && c.content === '' ? null : c.content,
      refusal: c.refusal === '' ? null : c.refusal,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    },
    logprobs: withLogprobs ? logprobsJson(c.logprobs) : null,
    finish_reason: c.finishReason || 'stop',
  };
}

/** One streamed choice delta in OpenAI's `chat.completion.chunk` shape (`firstOfChoice` adds the role). */
export function choiceChunkJson(d: ChoiceDelta, firstOfChoice: boolean, withLogprobs: boolean): Record<string, unknown> {
  const delta: Record<string, unknown> = {};
  if (firstOfChoice) delta['role'] = 'assistant';
  if (d.content !== '' || firstOfChoice) delta['content'] = d.content;
  if (d.refusal !== '') delta['refusal'] = d.refusal;
  if (d.toolCalls.length > 0) {
    delta['tool_calls'] = d.toolCalls.map((t) => ({
      index: t.index,
      ...(t.id ? { id: t.id, type: 'function' } : {}),
      function: { ...(t.name ? { name: t.name } : {}), arguments: t.arguments },
    }));
  }
  return {
    index: d.index,
    delta,
    logprobs: withLogprobs && d.logprobs.length > 0 ? logprobsJson(d.logprobs) : null,
    finish_reason: d.finishReason === '' ? null : d.finishReason,
  };
}
