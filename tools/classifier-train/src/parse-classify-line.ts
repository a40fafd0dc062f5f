import type { ChatMessage } from '@sophia/classifier-core';
import { z } from 'zod';

const messageSchema = z.object({
  role: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  content: z.unknown().optional(),
});
const messagesSchema = z.array(messageSchema, { error: 'must be an array of {role, content}' }).min(1, { error: 'must hold at least one message' });

/**
 * OpenAI's content forms: a string, null (an assistant turn that only made tool calls), or an array of
 * parts whose text parts are joined; other parts (images, audio) carry no text and are skipped.
 * Returns the text, or the problem with the field it is in (relative to the content).
 */
function contentText(content: unknown): { text: string } | { field: string; problem: string } {
  if (content === undefined) return { field: '', problem: 'is required (a string, null or an array of parts)' };
  if (content === null) return { text: '' };
  if (typeof content === 'string') return { text: content };
  if (!Array.isArray(content)) return { field: '', problem: 'must be a string, null or an array of {type, text} parts' };
  const texts: string[] = [];
  for (const [i, p] of content.entries()) {
    if (typeof p !== 'object' || p === null || typeof (p as { type?: unknown }).type !== 'string') {
      return { field: `[${i}]`, problem: 'must be an object with a string "type"' };
    }
    const { type, text } = p as { type: string; text?: unknown };
    if (type !== 'text') continue;
    if (typeof text !== 'string') return { field: `[${i}].text`, problem: 'must be a string' };
    texts.push(text);
  }
  return { text: texts.join('\n') };
}

/** The outcome of reading one input line of the classify CLI. */
export type ClassifyLine =
  | { readonly kind: 'ok'; readonly id: string; readonly messages: ChatMessage[] }
  /** The line has a usable id but an unusable body: answer it conservatively and report `problem`. */
  | { readonly kind: 'bad-body'; readonly id: string; readonly problem: string }
  /** No usable id: the contract cannot be kept for this line, so the CLI exits 2. */
  | { readonly kind: 'fatal'; readonly problem: string };

/** `["messages", 0, "content", 1, "text"]` → `messages[0].content[1].text`. */
function fieldName(path: ReadonlyArray<PropertyKey>): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

/**
 * Parses one JSONL line `{"id": string, "prompt": string}` or `{"id": string, "messages": [{role,
 * content}]}`. When `messages` is present it is what is classified (and must be valid, even if a
 * `prompt` is there too): a broken conversation is never silently replaced by the prompt. Problems name
 * the offending field, e.g. `messages[0].content[1].text must be a string`.
 */
export function parseClassifyLine(line: string): ClassifyLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { kind: 'fatal', problem: `not valid JSON (${(error as Error).message})` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { kind: 'fatal', problem: 'not a JSON object' };
  const record = json as Record<string, unknown>;
  const id = record['id'];
  if (typeof id !== 'string') return { kind: 'fatal', problem: 'field "id" must be a string' };
  if (record['messages'] !== undefined) {
    const messages = messagesSchema.safeParse(record['messages']);
    if (!messages.success) {
      const issue = messages.error.issues[0];
      return { kind: 'bad-body', id, problem: `${fieldName(['messages', ...(issue?.path ?? [])])} ${issue?.message ?? 'is invalid'}` };
    }
    const parsed: ChatMessage[] = [];
    for (const [i, m] of messages.data.entries()) {
      const text = contentText(m.content);
      if (!('text' in text)) return { kind: 'bad-body', id, problem: `messages[${i}].content${text.field} ${text.problem}` };
      parsed.push({ role: m.role, content: text.text });
    }
    return { kind: 'ok', id, messages: parsed };
  }
  const prompt = record['prompt'];
  if (typeof prompt !== 'string') {
    return { kind: 'bad-body', id, problem: prompt === undefined ? 'needs a string "prompt" or a "messages" array' : 'prompt must be a string' };
  }
  return { kind: 'ok', id, messages: [{ role: 'user', content: prompt }] };
}
