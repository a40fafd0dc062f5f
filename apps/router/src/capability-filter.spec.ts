import { create } from '@bufbuild/protobuf';
import { Code, type ConnectError } from '@connectrpc/connect';
import { ChatMessageSchema, GenerationParamsSchema, Role } from '@sophia/contracts/common';
import { loadCatalog, requestNeeds, type CatalogBackend } from '@sophia/price-catalog';
import { filterByCapability } from './capability-filter.ts';
import { planRoute } from './route-plan.ts';

const catalog = loadCatalog();
const both = new Set<CatalogBackend>(['serverless', 'gpu']);
const closed = () => 'closed' as const;
const user = (text: string) => create(ChatMessageSchema, { role: Role.USER, content: text });
const withImage = create(ChatMessageSchema, {
  role: Role.USER,
  content: 'what is this',
  parts: [{ part: { case: 'text', value: 'what is this' } }, { part: { case: 'imageUrl', value: { url: 'https://x.test/a.png' } } }],
});
const tools = create(GenerationParamsSchema, { tools: [{ name: 'f', parametersJson: '{}' }] });

function plan(explicitModel: string, tier: 'simple' | 'balanced' | 'complex' = 'simple') {
  return planRoute({ catalog, classifiedTier: tier, explicitModel, backendsAvailable: both, breakerState: closed });
}

function refusal(run: () => unknown): ConnectError {
  try {
    run();
  } catch (err) {
    return err as ConnectError;
  }
  throw new Error('expected a refusal');
}

describe('filterByCapability', () => {
  it('keeps a plan unchanged when the request needs nothing special', () => {
    const p = plan('');
    expect(filterByCapability(p, { catalog, needs: [], explicitModel: '', backendsAvailable: both, breakerState: closed })).toBe(p);
  });

  it('drops every target without tools, so a tool request never falls back to one', () => {
    const p = plan('NousResearch/Hermes-3-Llama-3.1-8B');
    expect(p.targets.map((t) => t.key)).toEqual(['serverless:NousResearch/Hermes-3-Llama-3.1-8B', 'gpu:NousResearch/Hermes-3-Llama-3.1-8B']);
    const filtered = filterByCapability(p, { catalog, needs: requestNeeds([user('x')], tools), explicitModel: 'NousResearch/Hermes-3-Llama-3.1-8B', backendsAvailable: both, breakerState: closed });
    expect(filtered.targets.map((t) => t.key)).toEqual(['gpu:NousResearch/Hermes-3-Llama-3.1-8B']);
    expect(filtered.reasons.at(-1)).toBe('capability:tools');
  });

  it('refuses a named model that cannot serve a parameter with INVALID_ARGUMENT naming the OpenAI parameter', () => {
    const model = 'meta-llama/Llama-3.1-8B-Instruct';
    const err = refusal(() => filterByCapability(plan(model), { catalog, needs: requestNeeds([withImage], undefined), explicitModel: model, backendsAvailable: both, breakerState: closed }));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe(`messages[0].content[1]: model "${model}" does not support image input`);
    const effort = create(GenerationParamsSchema, { reasoningEffort: 'low' });
    expect(refusal(() => filterByCapability(plan(model), { catalog, needs: requestNeeds([user('x')], effort), explicitModel: model, backendsAvailable: both, breakerState: closed })).rawMessage).toMatch(/^reasoning_effort: /);
  });

  it('moves a routed request whose tier has no capable model to the nearest capable one, outside the tier lists too', () => {
    const filtered = filterByCapability(plan('', 'complex'), { catalog, needs: requestNeeds([withImage], undefined), explicitModel: '', backendsAvailable: both, breakerState: closed });
    expect(filtered.targets[0]!.model.id).toBe('meta-llama/Llama-3.2-11B-Vision-Instruct');
    expect(filtered.reasons.at(-1)).toBe('capability:vision:meta-llama/Llama-3.2-11B-Vision-Instruct');
  });

  it('refuses a chat request to an embeddings model, and a feature no model has', () => {
    expect(refusal(() => filterByCapability(plan('BAAI/bge-large-en-v1.5'), { catalog, needs: [], explicitModel: 'BAAI/bge-large-en-v1.5', backendsAvailable: both, breakerState: closed })).rawMessage).toMatch(
      /^model: "BAAI\/bge-large-en-v1.5" is an embeddings model; use POST \/v1\/embeddings/,
    );
    const impossible = create(GenerationParamsSchema, { reasoningEffort: 'low', logitBias: { '1': 1 } });
    expect(refusal(() => filterByCapability(plan(''), { catalog, needs: requestNeeds([user('x')], impossible), explicitModel: '', backendsAvailable: both, breakerState: closed })).rawMessage).toMatch(
      /^(reasoning_effort|logit_bias): no model of the catalog supports .* together with /,
    );
  });
});
