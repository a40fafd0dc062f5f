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
  /** Which of n choices (0 = the only one of a plain request); later choices say so, so they differ from the first token on. */
  choice?: number;
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

interface WordToken {
  text: string;
  token: number;
}

let singleTokenWords: readonly WordToken[] | undefined;
let fullStop: WordToken | undefined;

/** The answer's closing "." as a token. */
function fullStopToken(): WordToken {
  fullStop ??= { text: '.', token: encodeText('.')[0]! };
  return fullStop;
}

/** Words that are exactly one token after a space, so a sentence of them is one token per word. */
function wordList(): readonly WordToken[] {
  singleTokenWords ??= CANDIDATE_WORDS.map((word) => ({ text: ` ${word}`, tokens: encodeText(` ${word}`) }))
    .filter((word) => word.tokens.length === 1)
    .map((word) => ({ text: word.text, token: word.tokens[0]! }));
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
  const prefix = `[${input.choice ? `choice ${input.choice + 1} ` : ''}simulated ${input.persona} ${input.model}]${echoOf(input.messages)}`;
  const natural = Math.max(0, input.outputTokens);
  // The prefix ends in punctuation and every body word is one pre-token, so the answer's tokens are the
  // prefix's tokens followed by one token per word and one for the final "." (the spec re-encodes to check).
  const words = wordList();
  const tokens = encodeText(prefix).slice(0, natural).map((token) => ({ token, text: decodeToken(token) }));
  while (tokens.length < natural - 1) {
    const word = words[Math.floor(random() * words.length)];
    if (word) tokens.push(word);
  }
  if (tokens.length < natural) tokens.push(fullStopToken());
  const limit = Math.min(input.maxTokens ?? Number.POSITIVE_INFINITY, tokens.length);
  let pieces = tokens.slice(0, limit).map((word) => word.text);
  let finishReason: CompletionText['finishReason'] = limit < tokens.length ? 'length' : 'stop';

  const text = pieces.join('');
  const stopAt = input.stop
    .map((sequence) => text.indexOf(sequence))
    .filter((index) => index !== -1)
    .reduce((min, index) => Math.min(min, index), Number.POSITIVE_INFINITY);
  if (Number.isFinite(stopAt)) {
    pieces = encodeText(text.slice(0, stopAt)).map(decodeToken);
    finishReason = 'stop';
  }
  return { pieces, text: pieces.join(''), finishReason };
}
