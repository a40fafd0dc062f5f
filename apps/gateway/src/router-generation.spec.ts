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
  it('reports DEADLINE_EXCEEDED when the server-side deadline aborted the caller signal first (not CANCELLED)', async () => {
    // Like the grpc-js and in-process clients: an aborted call fails CANCELLED whatever the abort's reason.
    const client = {
      async *generate(_req: unknown, opts: { signal: AbortSignal }) {
        await new Promise((resolve) => opts.signal.addEventListener('abort', resolve, { once: true }));
        yield* [];
        throw new ConnectError('cancelled on client', Code.Canceled);
      },
    } as unknown as Parameters<typeof routerGeneration>[0];
    // The protocol's deadline (connect-node's Connect-Timeout-Ms) fires on the handler signal before our own timer.
    const context = callContextFromHeaders(new Headers(), { method: 'test', timeoutMs: 60_000 });
    const serverSignal = new AbortController();
    setTimeout(() => serverSignal.abort(new ConnectError('the operation timed out', Code.DeadlineExceeded)), 20);
    await expect(collectGeneration(routerGeneration(client, create(RouteInputSchema), { context, signal: serverSignal.signal }))).rejects.toMatchObject({
      code: Code.DeadlineExceeded,
    });
  });
  it('passes the router\'s own DEADLINE_EXCEEDED through with its message (what each target did)', async () => {
    const bounded: FakeScript = async function* () {
      yield* [];
      throw new ConnectError('no backend produced a first token within 300 ms: serverless:x: no first token after 300 ms', Code.DeadlineExceeded);
    };
    const client = inMemoryRouterClient(createFakeRouter(bounded).impl);
    const context = callContextFromHeaders(new Headers(), { method: 'test', timeoutMs: 60_000 });
    await expect(collectGeneration(routerGeneration(client, create(RouteInputSchema), { context, signal: new AbortController().signal }))).rejects.toMatchObject({
      code: Code.DeadlineExceeded,
      rawMessage: expect.stringContaining('no backend produced a first token within 300 ms'),
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
