import { randomUUID } from 'node:crypto';
import type { Client } from '@connectrpc/connect';
import { Role } from '@sophia/contracts/common';
import type { RouterService } from '@sophia/contracts/router';
import type { Logger } from '@sophia/platform';
import { checkCommandTiming, COMMAND_ARGS, COMMAND_INTENTS, dateInZone, formatDate, isCommandIntent, validateCommand, type Command } from '@sophia/ops-interpreter';
import { z } from 'zod';

/** Reads text the rules could not as one operator command, through an LLM; undefined when it cannot. */
export interface LlmFallback {
  read(text: string, tenant: string): Promise<Command | undefined>;
}

/** Settings of the fallback (SOPHIA_OPS_LLM_FALLBACK / SOPHIA_OPS_LLM_MODEL). */
export interface LlmFallbackOptions {
  readonly router: Client<typeof RouterService>;
  /** Catalog model id, or "auto" for the router's choice. */
  readonly model: string;
  readonly timeZone: string;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly now: () => number;
}

/** The workload tag the fallback's own calls carry, so their cost shows in usage reports. */
export const LLM_FALLBACK_WORKLOAD = 'ops-interpreter';

const TOOL_CALL = z.object({ tool: z.string(), arguments: z.record(z.string(), z.unknown()).optional() });

/** The tool catalogue the model chooses from: every intent with its arguments' JSON schema (the same zod schemas). */
const TOOLS = COMMAND_INTENTS.map((intent) => `- ${intent}: ${JSON.stringify(z.toJSONSchema(COMMAND_ARGS[intent]))}`).join('\n');

/** The instruction sent with every fallback call. */
export function fallbackInstructions(today: string, timeZone: string): string {
  return [
    'You translate one request of an operator of the Sophia inference mesh into exactly one tool call.',
    `Today is ${today} (time zone ${timeZone}); dates are YYYY-MM-DD and "to" is exclusive. Use only arguments the request states.`,
    'Tools (name: JSON schema of its arguments):',
    TOOLS,
    'Reply with ONLY one JSON object: {"tool": "<name>", "arguments": {...}}. If the text is not a request to operate the mesh, reply {"tool": "none"}.',
  ].join('\n');
}

/**
 * The first JSON object in a model's answer, read as a tool call and validated exactly like a typed
 * API call (the intent's zod schema, then the clock); undefined for "none", prose, unknown tools or
 * invalid arguments — never a partial or repaired command.
 */
export function parseToolCall(answer: string, now: Date, timeZone: string): Command | undefined {
  const json = firstJsonObject(answer);
  if (json === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  const call = TOOL_CALL.safeParse(raw);
  if (!call.success || !isCommandIntent(call.data.tool)) return undefined;
  const checked = validateCommand(call.data.tool, call.data.arguments ?? {});
  if (!checked.ok) return undefined;
  return checkCommandTiming(checked.command, now, dateInZone(now, timeZone)) === undefined ? checked.command : undefined;
}

function firstJsonObject(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/**
 * The fallback through the mesh's own router (billed to the caller's tenant under workload
 * "ops-interpreter"): one completion at temperature 0, read by {@link parseToolCall}. A failed or
 * slow call is logged and answers undefined — the operator then gets what the rules said.
 */
export function createLlmFallback(options: LlmFallbackOptions): LlmFallback {
  return {
    async read(text, tenant) {
      const now = new Date(options.now());
      const instructions = fallbackInstructions(formatDate(dateInZone(now, options.timeZone)), options.timeZone);
      let answer = '';
      try {
        const stream = options.router.generate(
          {
            input: {
              requestId: `ops-fallback-${randomUUID()}`,
              tenant,
              model: options.model,
              workloadTag: LLM_FALLBACK_WORKLOAD,
              messages: [
                { role: Role.SYSTEM, content: instructions },
                { role: Role.USER, content: text },
              ],
              params: { temperature: 0, maxTokens: 300 },
            },
          },
          { timeoutMs: options.timeoutMs },
        );
        for await (const res of stream) if (res.event.case === 'delta') answer += res.event.value;
      } catch (err) {
        options.logger.warn({ err: (err as Error).message }, 'ops LLM fallback call failed; answering with the rules');
        return undefined;
      }
      const command = parseToolCall(answer, now, options.timeZone);
      options.logger.debug({ validated: command !== undefined, intent: command?.intent }, 'ops LLM fallback answered');
      return command;
    },
  };
}
