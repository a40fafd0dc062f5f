import { hashString, createSeededRandom } from './seeded-random.ts';
import { decodeToken, encodeText, type PromptMessage } from './token-counter.ts';

/**
 * The simulated answer: deterministic for (persona, model, messages, seed), labelled as simulated, and
 * pre-split into tokens so the stream can send exactly one token per chunk and usage can be exact.
 */

/** Inputs that decide the answer; `messages` are the request's messages with sim markers removed. */
export interface CompletionTextInput {
  persona: string;
  model: string;
  messages: readonly PromptMessage[];
  seed?: number;
  /** Natural answer length in tokens (the default answer length or a per-request override). */
  outputTokens: number;
  /** The request's max_tokens / max_completion_tokens. */
  maxTokens?: number;
  stop: readonly string[];
}

/** The answer as the stream will send it. */
export interface CompletionText {
  /** One entry per token, each the decoding of exactly one token. */
  pieces: string[];
  text: string;
  finishReason: 'stop' | 'length';
}

const CANDIDATE_WORDS = (
  'the of and to in is that for it as with was on be by this are or from at an have not but which one ' +
  'all were we when there can more so if about into than would other some what out up only its time also ' +
  'two could new these may first then do any like now over such our made after well model token route ' +
  'cost price fast cheap serverless request answer data cache queue budget stream latency simple plan ' +
  'system value result test small large mesh node service server client batch signal window'
).split(' ');

let singleTokenWords: readonly string[] | undefined;

/** Words that are exactly one token after a space, so a sentence of them is one token per word. */
function wordList(): readonly string[] {
  singleTokenWords ??= CANDIDATE_WORDS.filter((word) => encodeText(` ${word}`).length === 1);
  return singleTokenWords;
}

const ECHO_WORDS = 8;
const ECHO_WORD_CHARS = 24;

/** A short, ASCII-only echo of the last user message, so an answer visibly relates to its prompt. */
function echoOf(messages: readonly PromptMessage[]): string {
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  if (!lastUser) return '';
  const words = lastUser.content
    .replace(/[^\x20-\x7e]/g, ' ')
    .split(/\s+/)
    .filter((word) => word !== '')
    .slice(0, ECHO_WORDS)
    .map((word) => word.slice(0, ECHO_WORD_CHARS));
  if (words.length === 0) return '';
  const echo = words.join(' ');
  return ` Re: ${echo}${/[.!?]$/.test(echo) ? '' : '.'}`;
}

/** Builds the answer for one request. */
export function createCompletionText(input: CompletionTextInput): CompletionText {
  const random = createSeededRandom(
    hashString(JSON.stringify([input.model, input.messages, input.seed ?? null])),
  );
  const prefix = `[simulated ${input.persona} ${input.model}]${echoOf(input.messages)}`;
  const natural = Math.max(0, input.outputTokens);
  const prefixTokens = encodeText(prefix).length;
  const words = wordList();
  let body = '';
  for (let i = 0; i < natural - prefixTokens - 1; i++) {
    body += ` ${words[Math.floor(random() * words.length)] ?? 'the'}`;
  }
  const naturalTokens = encodeText(`${prefix}${body}.`).slice(0, natural);
  const limit = Math.min(input.maxTokens ?? Number.POSITIVE_INFINITY, naturalTokens.length);
  let tokens = naturalTokens.slice(0, limit);
  let finishReason: CompletionText['finishReason'] = limit < naturalTokens.length ? 'length' : 'stop';
  let text = tokens.map(decodeToken).join('');

  const stopAt = input.stop
    .map((sequence) => text.indexOf(sequence))
    .filter((index) => index !== -1)
    .reduce((min, index) => Math.min(min, index), Number.POSITIVE_INFINITY);
  if (Number.isFinite(stopAt)) {
    text = text.slice(0, stopAt);
    tokens = encodeText(text);
    finishReason = 'stop';
  }
  const pieces = tokens.map(decodeToken);
  return { pieces, text: pieces.join(''), finishReason };
}
