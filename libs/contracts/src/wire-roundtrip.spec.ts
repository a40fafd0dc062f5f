import { create, fromBinary, toBinary, toJson, fromJson } from '@bufbuild/protobuf';
import { Backend, Role, Tier, RoutingDecisionSchema } from './gen/sophia/common/v1/common_pb.js';
import { GenerateResponseSchema } from './gen/sophia/inference/v1/inference_pb.js';
import { CompleteStreamResponseSchema } from './gen/sophia/gateway/v1/chat_pb.js';

// Round-trips the wire messages that cross process boundaries, so a field renumbering or a
// generator change that alters the encoding fails here before it fails between services.
describe('wire round-trip', () => {
  it('keeps a routing decision intact in binary and JSON', () => {
    const decision = create(RoutingDecisionSchema, {
      tier: Tier.COMPLEX,
      model: 'meta-llama/Llama-3.1-405B-Instruct',
      backend: Backend.GPU,
      fallback: true,
      attempts: 2,
      reasons: ['breaker_open:serverless', 'fallback:gpu'],
      cost: { microUsd: 1234567890123n },
    });
    const back = fromBinary(RoutingDecisionSchema, toBinary(RoutingDecisionSchema, decision));
    expect(back).toEqual(decision);
    const json = toJson(RoutingDecisionSchema, decision);
    expect(json).toMatchObject({ tier: 'TIER_COMPLEX', backend: 'BACKEND_GPU', cost: { microUsd: '1234567890123' } });
    expect(fromJson(RoutingDecisionSchema, json)).toEqual(decision);
  });

  it('keeps oneof stream events distinct', () => {
    const delta = create(GenerateResponseSchema, { event: { case: 'delta', value: { text: 'hé 🚀' } } });
    const decoded = fromBinary(GenerateResponseSchema, toBinary(GenerateResponseSchema, delta));
    expect(decoded.event).toEqual({ case: 'delta', value: expect.objectContaining({ text: 'hé 🚀' }) });
    const done = create(CompleteStreamResponseSchema, {
      event: { case: 'done', value: { finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } } },
    });
    const back = fromBinary(CompleteStreamResponseSchema, toBinary(CompleteStreamResponseSchema, done));
    expect(back.event.case).toBe('done');
    expect(Role.USER).toBe(2);
  });
});
