import { create } from '@bufbuild/protobuf';
import { ChatMessageSchema, GenerationParamsSchema, ResponseFormatType, Role } from '@sophia/contracts/common';
import { loadCatalog } from './load-catalog.ts';
import { requestNeeds, targetFeatures } from './request-needs.ts';

const user = create(ChatMessageSchema, { role: Role.USER, content: 'x' });

describe('requestNeeds', () => {
  it('needs nothing for a plain request (max_tokens, temperature, top_p, stop, user need no feature)', () => {
    expect(requestNeeds([user], create(GenerationParamsSchema, { maxTokens: 5, temperature: 0, topP: 0, stop: ['x'], user: 'u', frequencyPenalty: 0 }))).toEqual([]);
  });

  it('names the first parameter that needs each feature, once', () => {
    const image = create(ChatMessageSchema, { role: Role.USER, content: 'a', parts: [{ part: { case: 'text', value: 'a' } }, { part: { case: 'imageUrl', value: { url: 'https://x.test/i.png' } } }] });
    const calledBefore = create(ChatMessageSchema, { role: Role.ASSISTANT, toolCalls: [{ id: 'c', name: 'f', arguments: '{}' }] });
    const params = create(GenerationParamsSchema, {
      tools: [{ name: 'f' }],
      responseFormat: { type: ResponseFormatType.JSON_SCHEMA, schemaName: 's' },
      logprobs: true,
      presencePenalty: 1,
      logitBias: { '1': 1 },
      seed: 3n,
      n: 2,
      reasoningEffort: 'high',
    });
    expect(requestNeeds([user, image, calledBefore], params).map((n) => [n.feature, n.param])).toEqual([
      ['vision', 'messages[1].content[1]'],
      ['tools', 'messages[2].tool_calls'],
      ['json', 'response_format'],
      ['logprobs', 'logprobs'],
      ['penalties', 'presence_penalty'],
      ['logit_bias', 'logit_bias'],
      ['seed', 'seed'],
      ['n', 'n'],
      ['reasoning', 'reasoning_effort'],
    ]);
    expect(requestNeeds([user], create(GenerationParamsSchema, { responseFormat: { type: ResponseFormatType.TEXT } }))).toEqual([]);
  });
});

describe('targetFeatures and the bundled catalog', () => {
  const catalog = loadCatalog();
  it('serverless serves the union of the offers, GPU what its vLLM serving lists', () => {
    const hermes = catalog.findModel('NousResearch/Hermes-3-Llama-3.1-8B')!;
    expect(targetFeatures(hermes, 'serverless').has('tools')).toBe(false);
    expect(targetFeatures(hermes, 'gpu').has('tools')).toBe(true);
    expect(targetFeatures(catalog.findModel('meta-llama/Llama-3.2-11B-Vision-Instruct')!, 'serverless').has('vision')).toBe(true);
    expect(targetFeatures(catalog.findModel('meta-llama/Llama-3.2-11B-Vision-Instruct')!, 'gpu').size).toBe(0);
  });

  it('keeps embeddings and explicit-only models out of the tier lists', () => {
    const emb = catalog.findModel('BAAI/bge-large-en-v1.5')!;
    expect([emb.kind, emb.autoRoute, emb.dimensions]).toEqual(['embeddings', false, 1024]);
    const listed = new Set([...catalog.tiers.simple, ...catalog.tiers.balanced, ...catalog.tiers.complex]);
    for (const m of catalog.models) expect([m.id, listed.has(m.id)]).toEqual([m.id, m.autoRoute]);
  });
});
