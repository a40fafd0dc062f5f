import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import type { Mesh } from '@sophia/dev';
import { API_KEY, startCompatMesh } from './compat-mesh.ts';

// LangChain's OpenAI chat model against a real mesh: bind_tools + the agent's tool loop, and
// with_structured_output — the calls that failed with 400 before the mesh carried tools.

let mesh: Mesh;
let model: ChatOpenAI;

beforeAll(async () => {
  mesh = await startCompatMesh();
  model = new ChatOpenAI({ model: 'meta-llama/Llama-3.1-8B-Instruct', apiKey: API_KEY, maxRetries: 0, configuration: { baseURL: `${mesh.gatewayUrl}/v1` } });
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
});

it('runs a LangChain tool loop (bindTools → tool calls → ToolMessages → final answer)', async () => {
  const calls: string[] = [];
  const lookup = tool(
    ({ city }: { city: string }) => {
      calls.push(city);
      return JSON.stringify({ city, temperature: 18 });
    },
    { name: 'get_weather', description: 'Current weather of a city', schema: z.object({ city: z.string() }) },
  );
  const withTools = model.bindTools([lookup]);
  const messages: BaseMessage[] = [new HumanMessage('What is the weather in Berlin?')];
  for (let turn = 0; turn < 4; turn++) {
    const reply = await withTools.invoke(messages);
    messages.push(reply);
    if (!reply.tool_calls || reply.tool_calls.length === 0) break;
    for (const call of reply.tool_calls) {
      const result = await lookup.invoke(call.args as { city: string });
      messages.push(new ToolMessage({ content: String(result), tool_call_id: call.id! }));
    }
  }
  expect(calls).toHaveLength(1);
  const last = messages.at(-1)!;
  expect(last.getType()).toBe('ai');
  expect(String(last.content)).toMatch(/simulated/);
});

it('streams tool calls through LangChain (tool_call_chunks assemble into the call)', async () => {
  const lookup = tool(() => 'ok', { name: 'get_time', description: 'Time in a zone', schema: z.object({ zone: z.string() }) });
  let merged: Awaited<ReturnType<ChatOpenAI['invoke']>> | undefined;
  for await (const chunk of await model.bindTools([lookup], { tool_choice: 'get_time' }).stream('time in Tokyo?')) {
    merged = merged === undefined ? chunk : merged.concat(chunk);
  }
  expect(merged?.tool_calls?.[0]).toMatchObject({ name: 'get_time', args: { zone: expect.any(String) } });
});

it('returns structured output that satisfies the zod schema (withStructuredOutput)', async () => {
  const Ticket = z.object({ title: z.string(), priority: z.enum(['low', 'high']), estimate_hours: z.number() });
  const structured = model.withStructuredOutput(Ticket, { name: 'ticket' });
  const ticket = await structured.invoke('File a ticket: the login page is slow.');
  expect(Ticket.parse(ticket)).toEqual(ticket);
});
