import { createHash } from 'node:crypto';
import type { ChatRequest, SimTool } from './chat-request.ts';
import type { CompletionText } from './completion-text.ts';
import { sampleSchema } from './schema-sample.ts';
import { hashString } from './seeded-random.ts';
import { decodeToken, encodeText, type PromptMessage } from './token-counter.ts';

/**
 * What the simulator answers, as whole choices (the JSON body) and as the ordered stream steps
 * that build them (one chunk each): plain text, tool calls (arguments that follow the tool's
 * schema), JSON mode / schema-conforming JSON, n choices (interleaved), and per-token logprobs.
 */

/** One streamed chunk's choice. */
export interface SimStep {
  readonly choice: number;
  readonly delta: Record<string, unknown>;
  readonly logprobs: { content: LogprobEntry[] } | null;
}

/** OpenAI's per-token logprob entry. */
export interface LogprobEntry {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }>;
}

/** A whole choice of the JSON answer. */
export interface SimChoice {
  readonly index: number;
  readonly message: Record<string, unknown>;
  readonly logprobs: { content: LogprobEntry[]; refusal: null } | null;
  readonly finishReason: string;
}

/** Everything the writers send. */
export interface SimOutput {
  readonly steps: SimStep[];
  readonly choices: SimChoice[];
  /** Completion tokens over every choice (content, tool names and arguments). */
  readonly completionTokens: number;
  /** Finish reason of choice 0 (metrics). */
  readonly finishReason: string;
}

const ALTERNATIVES = [' the', ' a', ' and', ' of', ' to', ' in', ' is', ' it', ' that', ' for', ' on', ' with', ' as', ' at', ' by', ' this', ' be', ' or', ' an', ' from'];

function logprobsFor(pieces: readonly string[], top: number): LogprobEntry[] {
  return pieces.map((token) => {
    const logprob = -((hashString(token) % 2000) / 1000) - 0.001;
    const bytes = [...Buffer.from(token, 'utf8')];
    const alts = ALTERNATIVES.filter((a) => a !== token).slice(0, Math.max(0, top - 1));
    return {
      token,
      logprob,
      bytes,
      top_logprobs: top === 0 ? [] : [{ token, logprob, bytes }, ...alts.map((a, i) => ({ token: a, logprob: logprob - 1 - i, bytes: [...Buffer.from(a, 'utf8')] }))],
    };
  });
}

/** The tools the model calls for this turn: none after a tool result (it answers), else by tool_choice. */
function callsFor(request: ChatRequest): SimTool[] {
  const tools = request.tools ?? [];
  const choice = request.toolChoice ?? 'auto';
  if (tools.length === 0 || choice === 'none') return [];
  const forced = tools.find((t) => t.name === choice);
  if (forced) return [forced];
  const last = request.messages[request.messages.length - 1];
  if (choice === 'auto' && last?.role !== 'user') return [];
  const text = (last?.content ?? '').toLowerCase();
  const mentioned = tools.filter((t) => text.includes(t.name.toLowerCase()));
  if (mentioned.length > 1 && request.parallelToolCalls !== false) return mentioned;
  return [mentioned[0] ?? tools[0]!];
}

function lastUserWords(messages: readonly PromptMessage[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user');
  return (last?.content ?? '').replace(/[^\x20-\x7e]/g, ' ').split(/\s+/).filter(Boolean).slice(0, 6).join(' ');
}

/** Splits text into the tokens the stream sends (max_tokens may cut it: finish "length"). */
function tokenPieces(text: string, maxTokens: number | undefined): { pieces: string[]; cut: boolean } {
  const pieces = encodeText(text).map(decodeToken);
  if (maxTokens !== undefined && pieces.length > maxTokens) return { pieces: pieces.slice(0, maxTokens), cut: true };
  return { pieces, cut: false };
}

/** Splits tool-call arguments into pieces of a few characters, as providers stream them. */
function argumentPieces(args: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 8) out.push(args.slice(i, i + 8));
  return out.length > 0 ? out : [''];
}

/** Builds the answer; `textFor(i)` is the plain answer of choice i (choice 0: the request's own). */
export function buildSimOutput(request: ChatRequest, textFor: (choice: number) => CompletionText): SimOutput {
  const n = request.n ?? 1;
  const top = request.topLogprobs;
  const perChoice: SimStep[][] = [];
  const choices: SimChoice[] = [];
  let completionTokens = 0;
  for (let i = 0; i < n; i++) {
    const steps: SimStep[] = [];
    const calls = callsFor(request);
    if (calls.length > 0) {
      const toolCalls = calls.map((tool, k) => {
        const args = JSON.stringify(sampleSchema(tool.parameters, lastUserWords(request.messages)));
        const id = `call_${createHash('sha256').update(`${JSON.stringify(request.messages)}|${i}|${k}`).digest('hex').slice(0, 24)}`;
        completionTokens += encodeText(tool.name + args).length;
        argumentPieces(args).forEach((piece, j) => {
          steps.push({
            choice: i,
            delta: { ...(k === 0 && j === 0 ? { role: 'assistant', content: null } : {}), tool_calls: [{ index: k, ...(j === 0 ? { id, type: 'function', function: { name: tool.name, arguments: piece } } : { function: { arguments: piece } }) }] },
            logprobs: null,
          });
        });
        return { id, type: 'function', function: { name: tool.name, arguments: args } };
      });
      choices.push({ index: i, message: { role: 'assistant', content: null, refusal: null, tool_calls: toolCalls }, logprobs: top === undefined ? null : { content: [], refusal: null }, finishReason: 'tool_calls' });
    } else {
      let pieces: string[];
      let finishReason: string;
      const format = request.responseFormat;
      if (format?.type === 'json_object' || format?.type === 'json_schema') {
        const value = format.type === 'json_schema' ? sampleSchema(format.schema, lastUserWords(request.messages)) : { answer: `simulated ${request.model}`, echo: lastUserWords(request.messages) };
        const cut = tokenPieces(JSON.stringify(value), request.maxTokens);
        pieces = cut.pieces;
        finishReason = cut.cut ? 'length' : 'stop';
      } else {
        const text = textFor(i);
        pieces = text.pieces;
        finishReason = text.finishReason;
      }
      completionTokens += pieces.length;
      const lp = top === undefined ? undefined : logprobsFor(pieces, top);
      pieces.forEach((piece, j) => {
        steps.push({ choice: i, delta: j === 0 ? { role: 'assistant', content: piece } : { content: piece }, logprobs: lp ? { content: [lp[j]!] } : null });
      });
      if (pieces.length === 0) steps.push({ choice: i, delta: { role: 'assistant', content: '' }, logprobs: null });
      choices.push({ index: i, message: { role: 'assistant', content: pieces.join(''), refusal: null }, logprobs: lp ? { content: lp, refusal: null } : null, finishReason });
    }
    perChoice.push(steps);
  }
  // Choices interleave round-robin, as providers stream n > 1.
  const steps: SimStep[] = [];
  for (let j = 0; perChoice.some((s) => j < s.length); j++) for (const s of perChoice) if (j < s.length) steps.push(s[j]!);
  return { steps, choices, completionTokens, finishReason: choices[0]!.finishReason };
}
