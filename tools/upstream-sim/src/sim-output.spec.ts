import type { ChatRequest } from './chat-request.ts';
import { createCompletionText } from './completion-text.ts';
import { sampleSchema } from './schema-sample.ts';
import { buildSimOutput } from './sim-output.ts';

const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'weather in Paris and time in Paris' }], stream: true, includeUsage: false, stop: [] };
const textFor = (choice: number) => createCompletionText({ persona: 'serverless', model: 'm', messages: base.messages, outputTokens: 6, stop: [], ...(choice > 0 ? { choice, seed: choice } : {}) });
const tool = (name: string) => ({ name, description: '', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 3 } }, required: ['city', 'days'] } });

describe('buildSimOutput', () => {
  it('answers plain text as one choice, one step per token', () => {
    const out = buildSimOutput(base, textFor);
    expect(out.choices).toHaveLength(1);
    expect(out.steps.map((s) => s.delta['content']).join('')).toBe(out.choices[0]!.message['content']);
    expect(out.completionTokens).toBe(6);
  });

  it('calls the tools the user names (in parallel unless told not to), with schema-conforming arguments, streamed in pieces', () => {
    const out = buildSimOutput({ ...base, tools: [tool('weather'), tool('time')] }, textFor);
    const calls = out.choices[0]!.message['tool_calls'] as Array<{ function: { name: string; arguments: string } }>;
    expect(calls.map((c) => c.function.name)).toEqual(['weather', 'time']);
    expect(JSON.parse(calls[0]!.function.arguments)).toEqual({ city: expect.any(String), days: 42 });
    expect(out.finishReason).toBe('tool_calls');
    const streamed = out.steps.flatMap((s) => (s.delta['tool_calls'] as Array<{ index: number; function: { arguments: string } }>).filter((t) => t.index === 0).map((t) => t.function.arguments)).join('');
    expect(streamed).toBe(calls[0]!.function.arguments);
    expect(buildSimOutput({ ...base, tools: [tool('weather'), tool('time')], parallelToolCalls: false }, textFor).choices[0]!.message['tool_calls']).toHaveLength(1);
  });

  it('answers in text after a tool result, and never calls with tool_choice none', () => {
    const afterTool = { ...base, messages: [...base.messages, { role: 'tool', content: '{"t":1}' }], tools: [tool('weather')] };
    expect(buildSimOutput(afterTool, textFor).finishReason).toBe('stop');
    expect(buildSimOutput({ ...base, tools: [tool('weather')], toolChoice: 'none' }, textFor).choices[0]!.message['tool_calls']).toBeUndefined();
  });

  it('answers json_schema with JSON that follows the schema, n different choices, and logprobs per token', () => {
    const schema = { type: 'object', properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' }, minItems: 2 }, kind: { enum: ['a', 'b'] } }, required: ['name'], additionalProperties: false };
    const json = buildSimOutput({ ...base, responseFormat: { type: 'json_schema', name: 'x', schema } }, textFor);
    expect(JSON.parse(json.choices[0]!.message['content'] as string)).toEqual({ name: expect.any(String), tags: [expect.any(String), expect.any(String)], kind: 'a' });
    const three = buildSimOutput({ ...base, n: 3, topLogprobs: 2 }, textFor);
    expect(three.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(new Set(three.choices.map((c) => c.message['content'])).size).toBe(3);
    expect(three.completionTokens).toBe(18);
    expect(three.steps.slice(0, 3).map((s) => s.choice)).toEqual([0, 1, 2]); // interleaved
    expect(three.choices[0]!.logprobs!.content.map((l) => l.token).join('')).toBe(three.choices[0]!.message['content']);
    expect(three.choices[0]!.logprobs!.content[0]!.top_logprobs).toHaveLength(2);
  });

  it('samples $ref, anyOf and bounds', () => {
    expect(sampleSchema({ $defs: { P: { type: 'object', properties: { n: { type: 'number', maximum: 10 } } } }, type: 'object', properties: { p: { $ref: '#/$defs/P' }, o: { anyOf: [{ type: 'null' }, { type: 'boolean' }] } } })).toEqual({ p: { n: 10 }, o: true });
  });
});
