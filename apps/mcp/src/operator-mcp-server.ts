import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ConnectError, type Client } from '@connectrpc/connect';
import { fromJson, toJson, type DescMessage, type JsonObject, type JsonValue, type Message } from '@bufbuild/protobuf';
import { OperatorService } from '@sophia/contracts/ops';
import { z } from 'zod';
import { asCaller } from './operator-client.ts';
import { renderAnswer } from './render-answer.ts';
import { OPERATOR_TOOLS, toolInputShape } from './tool-catalog.ts';

/** Options for {@link createOperatorMcpServer}. */
export interface OperatorMcpServerOptions {
  readonly client: Client<typeof OperatorService>;
  /** The API key every tool call is made with (the HTTP caller's, or the stdio server's). */
  readonly apiKey: string;
  readonly callTimeoutMs: number;
  /** Server version announced at initialize. */
  readonly version: string;
}

type AnyMethod = (req: Message, opts: ReturnType<typeof asCaller>) => Promise<Message>;

/** A tool answer: the rendered text plus the raw JSON as structured content. */
function answerOf(json: JsonObject): CallToolResult {
  return { content: [{ type: 'text', text: renderAnswer(json) }], structuredContent: json };
}

/** An operator error as a tool error the model can read and act on (the gRPC code and the message naming the field). */
function errorOf(err: unknown): CallToolResult {
  const e = ConnectError.from(err);
  const code = (['ok', 'canceled', 'unknown', 'invalid_argument', 'deadline_exceeded', 'not_found', 'already_exists', 'permission_denied', 'resource_exhausted', 'failed_precondition', 'aborted', 'out_of_range', 'unimplemented', 'internal', 'unavailable', 'data_loss', 'unauthenticated'] as const)[e.code] ?? 'unknown';
  return { isError: true, content: [{ type: 'text', text: `${code.toUpperCase()}: ${e.rawMessage}` }] };
}

/**
 * An MCP server exposing the operator API: one tool per operator command (typed inputs — the same
 * schemas the API validates with; reads marked read-only, writes destructive and answering only a
 * plan), `run_command` for plain English, and `confirm_plan` — the only tool that changes anything.
 */
export function createOperatorMcpServer(options: OperatorMcpServerOptions): McpServer {
  const { client } = options;
  const server = new McpServer({ name: 'sophia-operator', version: options.version }, { instructions: 'Operate the Sophia inference mesh. Reads answer at once. Changes (routing, budgets, GPU fleet) answer a PLAN with an id and change nothing until confirm_plan is called with that id — show the plan to the user and confirm only when they agree.' });
  const call = async <D extends DescMessage>(method: keyof typeof OperatorService.method, input: JsonObject, signal: AbortSignal | undefined): Promise<JsonObject> => {
    const desc = OperatorService.method[method];
    const request = fromJson(desc.input, input as JsonValue);
    const fn = (client as unknown as Record<string, AnyMethod>)[desc.localName]!;
    const res = await fn(request, asCaller(options.apiKey, options.callTimeoutMs, signal));
    return toJson(desc.output as unknown as D, res as never, { useProtoFieldName: true }) as JsonObject;
  };
  for (const tool of OPERATOR_TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: toolInputShape(tool.intent),
        annotations: tool.write ? { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false } : { readOnlyHint: true, openWorldHint: false },
      },
      async (args: Record<string, unknown>, extra: { signal: AbortSignal }) => {
        try {
          return answerOf(await call(tool.method, JSON.parse(JSON.stringify(args)) as JsonObject, extra.signal));
        } catch (err) {
          return errorOf(err);
        }
      },
    );
  }
  server.registerTool(
    'run_command',
    {
      title: 'Run an operator command in plain English',
      description: 'E.g. "Show Lambda Labs usage for this week", "Route next 10 queries to GPU for testing". Reads answer at once; changes answer a plan to confirm with confirm_plan; ordinary prompts answer "not a command".',
      inputSchema: { text: z.string().describe('the command, in plain English') },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ text }, extra) => {
      try {
        return answerOf(await call('runCommand', { text }, extra.signal));
      } catch (err) {
        return errorOf(err);
      }
    },
  );
  server.registerTool(
    'confirm_plan',
    {
      title: 'Confirm and apply a plan',
      description: 'Applies a plan returned by a change (route_next, route_pin, traffic_split, overrides_clear, budget_set, gpu_launch, gpu_terminate, run_command). Applies once; an expired, unknown or already applied plan is an error and changes nothing.',
      inputSchema: { plan_id: z.string().min(1).describe('the id of the plan to apply') },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ plan_id }, extra) => {
      try {
        return answerOf(await call('confirmPlan', { plan_id }, extra.signal));
      } catch (err) {
        return errorOf(err);
      }
    },
  );
  return server;
}
