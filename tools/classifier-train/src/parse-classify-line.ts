import type { ChatMessage } from '@sophia/classifier-core';
import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const messageSchema = z.object({
  role: z.string().min(1),
  // OpenAI allows content as an array of parts; text parts are joined, other parts (images) ignored.
  content: z.union([z.string(), z.array(z.union([textPart, z.object({ type: z.string() })]))]),
});
const bodySchema = z.union([
  z.object({ messages: z.array(messageSchema).min(1) }),
  z.object({ prompt: z.string() }),
]);

/** The outcome of reading one input line of the classify CLI. */
export type ClassifyLine =
  | { readonly kind: 'ok'; readonly id: string; readonly messages: ChatMessage[] }
  /** The line has a usable id but an unusable body: answer it conservatively and report `problem`. */
  | { readonly kind: 'bad-body'; readonly id: string; readonly problem: string }
  /** No usable id: the contract cannot be kept for this line, so the CLI exits 2. */
  | { readonly kind: 'fatal'; readonly problem: string };

/**
 * Parses one JSONL line `{"id": string, "prompt": string}` or `{"id": string, "messages": [{role,
 * content}]}` (messages win when both are present). Problems name the offending field.
 */
export function parseClassifyLine(line: string): ClassifyLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { kind: 'fatal', problem: `not valid JSON (${(error as Error).message})` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { kind: 'fatal', problem: 'not a JSON object' };
  const id = (json as Record<string, unknown>)['id'];
  if (typeof id !== 'string') return { kind: 'fatal', problem: 'field "id" must be a string' };
  const body = bodySchema.safeParse(json);
  if (!body.success) {
    const hasMessages = 'messages' in json;
    const issue = body.error.issues[0];
    const detail =
      issue !== undefined && issue.code === 'invalid_union'
        ? hasMessages
          ? 'field "messages" must be a non-empty array of {role: string, content: string}'
          : 'needs a string "prompt" or a "messages" array'
        : (issue?.message ?? 'invalid body');
    return { kind: 'bad-body', id, problem: detail };
  }
  if ('messages' in body.data) {
    const messages = body.data.messages.map((m) => ({
      role: m.role,
      content: typeof m.content === 'string' ? m.content : m.content.map((p) => ('text' in p ? p.text : '')).join('\n'),
    }));
    return { kind: 'ok', id, messages };
  }
  return { kind: 'ok', id, messages: [{ role: 'user', content: body.data.prompt }] };
}
