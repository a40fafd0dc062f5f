import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, createRouterTransport, type Client, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { Backend, RoutingDecisionSchema, TaskType, Tier, type RoutingDecision } from '@sophia/contracts/common';
import { RouteInputSchema, RouterService, type GenerateResponseSchema, type RouteInput } from '@sophia/contracts/router';

/** One event the fake router streams. */
export type FakeEvent = MessageInitShape<typeof GenerateResponseSchema>;

/** What a test observes of the fake router. */
export interface FakeRouterCalls {
  readonly inputs: RouteInput[];
  readonly headers: Headers[];
  /** Resolves each time a Generate call's signal aborts (client went away or deadline). */
  readonly aborts: Array<Promise<unknown>>;
  readonly timeouts: Array<number | undefined>;
}

/** A scripted Generate: return the events to stream (may wait on the context's signal). */
export type FakeScript = (input: RouteInput, ctx: HandlerContext) => AsyncIterable<FakeEvent>;

/** The decision the default script makes. */
const FAKE_DECISION_INIT = {
  tier: Tier.SIMPLE,
  taskType: TaskType.OPEN_QA,
  score: 0.12,
  model: 'llama-3.1-8b',
  backend: Backend.SERVERLESS,
  target: 'serverless:meta-llama/Llama-3.1-8B-Instruct',
  attempts: 1,
  reasons: ['tier:simple score=0.12'],
  worstCaseCost: { microUsd: 150n },
  estimatedCost: { microUsd: 150n },
} satisfies MessageInitShape<typeof RoutingDecisionSchema>;
export const FAKE_DECISION: RoutingDecision = create(RoutingDecisionSchema, FAKE_DECISION_INIT);

/** Models the fake catalog knows. */
export const FAKE_MODELS = ['llama-3.1-8b', 'llama-3.1-70b'];

/** The default answer: decision, "Hello", " world", done (usage 12+2, 4 of the 12 from the provider's prompt cache, cost 42 µ$, fallback). */
export async function* defaultScript(input: RouteInput): AsyncIterable<FakeEvent> {
  if (input.model && !FAKE_MODELS.includes(input.model)) throw new ConnectError(`model "${input.model}" is not in the catalog`, Code.NotFound);
  const decision = create(RoutingDecisionSchema, { ...FAKE_DECISION_INIT, model: input.model || FAKE_DECISION.model });
  yield { event: { case: 'decision', value: decision } };
  yield { event: { case: 'delta', value: 'Hello' } };
  yield { event: { case: 'delta', value: ' world' } };
  yield {
    event: {
      case: 'done',
      value: {
        finishReason: 'stop',
        usage: { promptTokens: 12, completionTokens: 2, totalTokens: 14, cachedPromptTokens: 4 },
        decision: create(RoutingDecisionSchema, { ...FAKE_DECISION_INIT, model: decision.model, fallback: true, attempts: 2, cost: { microUsd: 42n } }),
      },
    },
  };
}

/** A RouterService implementation for tests: scripted Generate, fixed catalog, recorded calls. */
export function createFakeRouter(script: FakeScript = defaultScript): { impl: Partial<ServiceImpl<typeof RouterService>>; calls: FakeRouterCalls; setScript(s: FakeScript): void } {
  const calls: FakeRouterCalls = { inputs: [], headers: [], aborts: [], timeouts: [] };
  let current = script;
  // Partial: the gateway only calls Generate and ListModels; admin RPCs answer UNIMPLEMENTED here.
  const impl: Partial<ServiceImpl<typeof RouterService>> = {
    async *generate(req, ctx) {
      const input = req.input ?? create(RouteInputSchema);
      calls.inputs.push(input);
      calls.headers.push(new Headers(ctx.requestHeader));
      calls.timeouts.push(ctx.timeoutMs());
      calls.aborts.push(new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason), { once: true })));
      yield* current(input, ctx);
    },
    explain() {
      throw new ConnectError('not used by the gateway', Code.Unimplemented);
    },
    listModels() {
      return { models: FAKE_MODELS.map((id, i) => ({ id, tier: i === 0 ? Tier.SIMPLE : Tier.BALANCED, backends: [Backend.SERVERLESS, Backend.GPU], ownedBy: 'meta' })) };
    },
  };
  return { impl, calls, setScript: (s) => (current = s) };
}

/** A router client over connect's in-memory transport, bound to `impl`. */
export function inMemoryRouterClient(impl: Partial<ServiceImpl<typeof RouterService>>): Client<typeof RouterService> {
  return createClient(RouterService, createRouterTransport(({ service }) => service(RouterService, impl)));
}
