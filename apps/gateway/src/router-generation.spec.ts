import { Code, ConnectError } from '@connectrpc/connect';
import { callContextFromHeaders } from '@sophia/platform';
import { collectGeneration, routerCallError, routerGeneration } from './router-generation.ts';
import { createFakeRouter, FAKE_DECISION, inMemoryRouterClient, type FakeEvent, type FakeScript } from './testing/fake-router.ts';
import { create } from '@bufbuild/protobuf';
import { RouteInputSchema } from '@sophia/contracts/router';

const decision: FakeEvent = { event: { case: 'decision', value: FAKE_DECISION } };
const delta: FakeEvent = { event: { case: 'delta', value: 'x' } };
const done: FakeEvent = { event: { case: 'done', value: { finishReason: 'stop' } } };

function run(events: FakeEvent[], timeoutMs?: number): Promise<unknown> {
  const script: FakeScript = async function* () {
    yield* events;
  };
  const client = inMemoryRouterClient(createFakeRouter(script).impl);
  const context = callContextFromHeaders(new Headers(), { method: 'test', timeoutMs });
  return collectGeneration(routerGeneration(client, create(RouteInputSchema), { context, signal: new AbortController().signal }));
}

describe('routerGeneration enforces the Generate stream contract', () => {
  it('accepts decision, deltas, done', async () => {
    await expect(run([decision, delta, delta, done])).resolves.toMatchObject({ content: 'xx', done: { finishReason: 'stop' } });
  });
  it.each<[string, FakeEvent[], RegExp]>([
    ['no events', [], /"decision"|without "done"/],
    ['delta before decision', [delta, decision, done], /"delta" event before "decision"/],
    ['no done', [decision, delta], /stream ended without "done"/],
    ['two decisions', [decision, decision, done], /second "decision"/],
    ['event after done', [decision, done, delta], /"delta" event after "done"/],
    ['empty event', [decision, { event: { case: undefined } }, done], /empty event/],
  ])('rejects %s with INTERNAL', async (_name, events, message) => {
    await expect(run(events)).rejects.toMatchObject({ code: Code.Internal, rawMessage: expect.stringMatching(message) });
  });
  it('reports its own deadline as DEADLINE_EXCEEDED', async () => {
    const slow: FakeScript = async function* (_input, ctx) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      yield decision;
    };
    const client = inMemoryRouterClient(createFakeRouter(slow).impl);
    const context = callContextFromHeaders(new Headers(), { method: 'test', timeoutMs: 30 });
    await expect(collectGeneration(routerGeneration(client, create(RouteInputSchema), { context, signal: new AbortController().signal }))).rejects.toMatchObject({
      code: Code.DeadlineExceeded,
    });
  });
});

describe('routerCallError', () => {
  it('turns client-side transport failures into UNAVAILABLE and leaves router-sent errors alone', () => {
    const local = new ConnectError('connect ECONNREFUSED 10.0.0.7:7002', Code.Internal);
    expect(routerCallError(local)).toMatchObject({ code: Code.Unavailable, rawMessage: 'router unavailable' });
    const wire = new ConnectError('bad', Code.Internal);
    wire.isWireError = true;
    expect(routerCallError(wire)).toBe(wire);
    const invalid = new ConnectError('x', Code.InvalidArgument);
    expect(routerCallError(invalid)).toBe(invalid);
  });
});
