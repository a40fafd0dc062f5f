import { z } from 'zod';
import { Role } from '@sophia/contracts/common';

/** One content part as the router takes it: text, or an image by URL. */
export type ParsedContentPart = { readonly part: { readonly case: 'text'; readonly value: string } | { readonly case: 'imageUrl'; readonly value: { readonly url: string; readonly detail: string } } };

/** A tool call of an earlier assistant turn, as the router takes it. */
export interface ParsedToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** A chat message as the router takes it (the proto `ChatMessage` init shape). */
export interface ParsedChatMessage {
  readonly role: Role;
  /** The text; with parts, the parts' texts joined; "" for an assistant turn with `content: null`. */
  readonly content: string;
  readonly name: string;
  readonly parts?: ParsedContentPart[];
  readonly toolCalls?: ParsedToolCall[];
  readonly toolCallId?: string;
}

const ROLES: Readonly<Record<string, Role>> = {
  system: Role.SYSTEM,
  developer: Role.DEVELOPER,
  user: Role.USER,
  assistant: Role.ASSISTANT,
  tool: Role.TOOL,
};

const IMAGE_DETAILS = ['auto', 'low', 'high'] as const;
/** OpenAI's rule for function names. */
export const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const role = z.unknown().transform((v, ctx): Role => {
  const r = typeof v === 'string' ? ROLES[v] : undefined;
  if (r === undefined) {
    const shown = typeof v === 'string' ? `"${v.slice(0, 40)}"` : v === undefined ? 'missing' : typeof v;
    ctx.addIssue({ code: 'custom', message: `unknown role ${shown}; expected one of ${Object.keys(ROLES).join(', ')}` });
    return z.NEVER;
  }
  return r;
});

const textPart = z.strictObject({ type: z.literal('text'), text: z.string({ error: 'must be a string' }) });
const imagePart = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject(
    {
      url: z.string({ error: 'must be a string' }).refine((u) => /^(https?:\/\/|data:image\/)/.test(u), { error: 'must be an http(s) URL or a data:image/… URL' }),
      detail: z.enum(IMAGE_DETAILS, { error: `must be one of ${IMAGE_DETAILS.join(', ')}` }).optional(),
    },
    { error: 'must be an object {"url": …, "detail"?: …}' },
  ),
});

/** Content: a string, null (assistant turns only) or OpenAI content parts (`text`, `image_url`). */
const content = z.unknown().transform((v, ctx): { text: string; parts?: ParsedContentPart[] } | null => {
  if (typeof v === 'string') return { text: v };
  if (v === null || v === undefined) return null; // allowed or refused by the message-level check
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: `must be a string, null (assistant with tool_calls) or an array of content parts, got ${typeof v}` });
    return z.NEVER;
  }
  const parts: ParsedContentPart[] = [];
  const texts: string[] = [];
  v.forEach((raw: unknown, i) => {
    const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    if (type === 'text') {
      const p = textPart.safeParse(raw);
      if (!p.success) return void ctx.addIssue({ code: 'custom', path: [i, ...p.error.issues[0]!.path], message: p.error.issues[0]!.message });
      texts.push(p.data.text);
      parts.push({ part: { case: 'text', value: p.data.text } });
    } else if (type === 'image_url') {
      const p = imagePart.safeParse(raw);
      if (!p.success) return void ctx.addIssue({ code: 'custom', path: [i, ...p.error.issues[0]!.path], message: p.error.issues[0]!.message });
      parts.push({ part: { case: 'imageUrl', value: { url: p.data.image_url.url, detail: p.data.image_url.detail ?? '' } } });
    } else {
      const shown = typeof type === 'string' ? `"${type.slice(0, 40)}"` : 'missing';
      ctx.addIssue({ code: 'custom', path: [i, 'type'], message: `content part type ${shown} is not supported; supported: "text", "image_url"` });
    }
  });
  const onlyText = parts.every((p) => p.part.case === 'text');
  return onlyText ? { text: texts.join('') } : { text: texts.join(''), parts };
});

const toolCall = z.strictObject(
  {
    id: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(256),
    type: z.literal('function', { error: 'must be "function"' }),
    function: z.strictObject(
      {
        name: z.string({ error: 'must be a string' }).regex(FUNCTION_NAME, { error: `must match ${FUNCTION_NAME.source}` }),
        arguments: z.string({ error: 'must be a string (JSON text)' }),
      },
      { error: 'must be an object {"name", "arguments"}' },
    ),
  },
  { error: 'must be an object {"id", "type": "function", "function"}' },
);

/** One OpenAI message: role, content, and the tool fields its role allows. */
export const chatMessageSchema = z
  .object(
    {
      role,
      content: content.optional(),
      name: z.string({ error: 'must be a string' }).max(256).nullish(),
      tool_calls: z.array(toolCall, { error: 'must be an array of tool calls' }).max(128).nullish(),
      tool_call_id: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(256).nullish(),
      refusal: z.string({ error: 'must be a string' }).nullish(),
    },
    { error: 'must be an object with role and content' },
  )
  .superRefine((m, ctx) => {
    const assistant = m.role === Role.ASSISTANT;
    if ((m.content === null || m.content === undefined) && !assistant) ctx.addIssue({ code: 'custom', path: ['content'], message: 'is required (null is allowed only for assistant messages)' });
    if (m.tool_calls && m.tool_calls.length > 0 && !assistant) ctx.addIssue({ code: 'custom', path: ['tool_calls'], message: 'is allowed only on assistant messages' });
    if (m.role === Role.TOOL && !m.tool_call_id) ctx.addIssue({ code: 'custom', path: ['tool_call_id'], message: 'is required for tool messages' });
    if (m.role !== Role.TOOL && m.tool_call_id) ctx.addIssue({ code: 'custom', path: ['tool_call_id'], message: 'is allowed only on tool messages' });
    if (m.content?.parts?.some((p) => p.part.case === 'imageUrl') && m.role !== Role.USER) ctx.addIssue({ code: 'custom', path: ['content'], message: 'image_url parts are allowed only in user messages' });
  })
  .transform(
    (m): ParsedChatMessage => ({
      role: m.role,
      content: m.content?.text ?? '',
      name: m.name ?? '',
      ...(m.content?.parts ? { parts: m.content.parts } : {}),
      ...(m.tool_calls && m.tool_calls.length > 0 ? { toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) } : {}),
      ...(m.tool_call_id ? { toolCallId: m.tool_call_id } : {}),
    }),
  );
