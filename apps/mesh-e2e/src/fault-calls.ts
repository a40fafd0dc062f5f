import { ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { Backend, Role } from '@sophia/contracts/common';
import { ChatService } from '@sophia/contracts/gateway';

/**
 * What one chat call through the gateway produced, protocol-neutral, so the fault suite can judge
 * SSE and Connect answers with the same rules. `kind`:
 * - `ok`: a complete answer (SSE ended in `[DONE]`, Connect stream ended with a `done` event);
 * - `error-before`: the call failed before any token reached the client (HTTP status / Connect code);
 * - `error-after`: tokens reached the client, then an explicit error (SSE `error` event without
 *   `[DONE]`, Connect stream ending with an error status);
 * - `truncated`: the answer ended with neither a completion nor an error — always a defect.
 */
export interface CallOutcome {
  readonly kind: 'ok' | 'error-before' | 'error-after' | 'truncated';
  readonly status: number | string;
  readonly backend: string;
  /** Serverless provider that answered ('' for GPU or when unknown). */
  readonly provider: string;
  readonly fallback: boolean;
  readonly reasons: readonly string[];
  readonly content: string;
  readonly message: string;
  readonly elapsedMs: number;
}

export interface CallOptions {
  readonly gatewayUrl: string;
  readonly apiKey: string;
  readonly content: string;
  readonly maxTokens?: number;
  /** Client deadline (x-request-timeout-ms / Connect timeout). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

interface SseChunk {
  choices?: Array<{ delta?: { content?: string } }>;
  sophia?: { backend: string; provider: string | null; fallback: boolean; reasons: string[] };
  error?: { message: string; code?: string; type?: string };
}

/** One OpenAI SSE chat completion through the gateway, read to its end. */
export async function sseCall(o: CallOptions): Promise<CallOutcome> {
  const started = Date.now();
  const res = await fetch(`${o.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${o.apiKey}`,
      'content-type': 'application/json',
      ...(o.timeoutMs ? { 'x-request-timeout-ms': String(o.timeoutMs) } : {}),
    },
    body: JSON.stringify({ model: 'auto', stream: true, max_tokens: o.maxTokens ?? 8, messages: [{ role: 'user', content: o.content }] }),
    signal: o.signal ?? null,
  });
  const headerBackend = res.headers.get('x-sophia-backend') ?? '';
  let provider = res.headers.get('x-sophia-provider') ?? '';
  if (res.status !== 200 || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const body = await res.text();
    let message = body;
    try {
      message = (JSON.parse(body) as SseChunk).error?.message ?? body;
    } catch {
      /* not JSON: keep the text */
    }
    return { kind: 'error-before', status: res.status, backend: headerBackend, provider, fallback: false, reasons: [], content: '', message, elapsedMs: Date.now() - started };
  }
  const text = await res.text();
  const data = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
  let content = '';
  let backend = headerBackend;
  let fallback = false;
  let reasons: string[] = [];
  let error: string | undefined;
  for (const d of data) {
    if (d === '[DONE]') continue;
    const chunk = JSON.parse(d) as SseChunk;
    if (chunk.error) error = chunk.error.message;
    for (const c of chunk.choices ?? []) content += c.delta?.content ?? '';
    if (chunk.sophia) {
      backend = chunk.sophia.backend;
      provider = chunk.sophia.provider ?? '';
      fallback = chunk.sophia.fallback;
      reasons = chunk.sophia.reasons;
    }
  }
  const done = data.at(-1) === '[DONE]';
  const kind = done && !error ? 'ok' : error ? (content.length > 0 ? 'error-after' : 'error-before') : 'truncated';
  return { kind, status: 200, backend, provider, fallback, reasons, content, message: error ?? '', elapsedMs: Date.now() - started };
}

const backendName = (b: Backend | undefined): string => (b === Backend.GPU ? 'gpu' : b === Backend.SERVERLESS ? 'serverless' : 'unspecified');

/** One Connect (HTTP/1.1) CompleteStream call through the gateway, read to its end. */
export async function connectCall(o: CallOptions): Promise<CallOutcome> {
  const started = Date.now();
  const client = createClient(ChatService, createConnectTransport({ baseUrl: o.gatewayUrl, httpVersion: '1.1' }));
  let content = '';
  let backend = '';
  let provider = '';
  let fallback = false;
  let reasons: string[] = [];
  let sawDone = false;
  try {
    const stream = client.completeStream(
      { input: { model: 'auto', messages: [{ role: Role.USER, content: o.content }], params: { maxTokens: o.maxTokens ?? 8 } } },
      { headers: { authorization: `Bearer ${o.apiKey}` }, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.signal ? { signal: o.signal } : {}) },
    );
    for await (const m of stream) {
      if (m.event.case === 'decision') {
        backend = backendName(m.event.value.backend);
        provider = m.event.value.provider;
      }
      if (m.event.case === 'delta') content += m.event.value;
      if (m.event.case === 'done') {
        sawDone = true;
        const d = m.event.value.decision;
        backend = backendName(d?.backend);
        provider = d?.provider ?? '';
        fallback = d?.fallback ?? false;
        reasons = [...(d?.reasons ?? [])];
      }
    }
  } catch (err) {
    const ce = ConnectError.from(err);
    return { kind: content.length > 0 ? 'error-after' : 'error-before', status: codeName(ce.code), backend, provider, fallback, reasons, content, message: ce.rawMessage, elapsedMs: Date.now() - started };
  }
  return { kind: sawDone ? 'ok' : 'truncated', status: 'ok', backend, provider, fallback, reasons, content, message: '', elapsedMs: Date.now() - started };
}

const CODE_NAMES: Record<number, string> = { 1: 'canceled', 2: 'unknown', 3: 'invalid_argument', 4: 'deadline_exceeded', 5: 'not_found', 8: 'resource_exhausted', 13: 'internal', 14: 'unavailable' };
function codeName(code: number): string {
  return CODE_NAMES[code] ?? `code_${code}`;
}

/** Short text for the scorecard's "got" column. */
export function describeOutcome(o: CallOutcome): string {
  const where = o.backend ? ` ${o.backend}${o.provider ? `/${o.provider}` : ''}` : '';
  if (o.kind === 'ok') return `ok${where} fallback=${o.fallback}${o.reasons.some((r) => r.startsWith('rescue')) ? ' rescued' : ''} ${o.elapsedMs}ms`;
  if (o.kind === 'error-after') return `${o.status} after ${o.content.length} chars ${o.elapsedMs}ms`;
  if (o.kind === 'error-before') return `${o.status} before tokens ${o.elapsedMs}ms: ${o.message.slice(0, 120)}`;
  return `TRUNCATED ${o.content.length} chars`;
}

/** Starts an SSE stream and aborts it as soon as the first content chunk arrives (or it ends). */
export async function cancelSseAfterFirstToken(m: { gatewayUrl: string; apiKey: string }, content: string, ac: AbortController): Promise<void> {
  try {
    const res = await fetch(`${m.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${m.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', stream: true, max_tokens: 200, messages: [{ role: 'user', content }] }),
      signal: ac.signal,
    });
    const reader = res.body?.getReader();
    if (!reader) return;
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
      if (/"content":"[^"]/.test(text)) {
        ac.abort();
        return;
      }
    }
  } catch {
    // the abort itself
  }
}

/** Starts a Connect stream and aborts it once the first delta arrives (or it ends). */
export async function cancelConnectAfterFirstToken(m: { gatewayUrl: string; apiKey: string }, content: string, ac: AbortController): Promise<void> {
  const client = createClient(ChatService, createConnectTransport({ baseUrl: m.gatewayUrl, httpVersion: '1.1' }));
  try {
    for await (const msg of client.completeStream(
      { input: { model: 'auto', messages: [{ role: Role.USER, content }], params: { maxTokens: 200 } } },
      { headers: { authorization: `Bearer ${m.apiKey}` }, signal: ac.signal },
    )) {
      if (msg.event.case === 'delta') {
        ac.abort();
        return;
      }
    }
  } catch {
    // the abort itself
  }
}
