import { Code, ConnectError } from '@connectrpc/connect';
import { create } from '@bufbuild/protobuf';
import { RoutingDecisionSchema } from '@sophia/contracts/common';
import { createLiveTraffic } from './live-traffic.ts';
import { observeRouter } from './observed-router.ts';
import { createFakeRouter, inMemoryRouterClient, type FakeEvent } from './testing/fake-router.ts';

describe('observeRouter', () => {
  const decision = (fallback: boolean) => create(RoutingDecisionSchema, { model: 'm', fallback });

  async function drain(stream: AsyncIterable<unknown>): Promise<unknown> {
    try {
      for await (const _ of stream) void _;
      return undefined;
    } catch (err) {
      return err;
    }
  }

  it('records an answered generation with its fallback flag, and a failed one as an error', async () => {
    const fake = createFakeRouter(async function* () {
      yield { event: { case: 'decision', value: decision(false) } } satisfies FakeEvent;
      yield { event: { case: 'done', value: { finishReason: 'stop', decision: decision(true) } } } satisfies FakeEvent;
    });
    const traffic = createLiveTraffic();
    const router = observeRouter(inMemoryRouterClient(fake.impl), traffic);
    expect(await drain(router.generate({}))).toBeUndefined();
    fake.setScript(async function* () {
      yield { event: { case: 'decision', value: decision(false) } } satisfies FakeEvent;
      throw new ConnectError('upstream failed', Code.Unavailable);
    });
    expect(await drain(router.generate({}))).toBeInstanceOf(ConnectError);
    expect(traffic.window(Date.now() + 1, 60_000)).toMatchObject({ requests: 2, fallbacks: 1, errors: 1, cancelled: 0 });
    expect(traffic.inFlight()).toBe(0);
  });

  it('records a call its client abandoned as cancelled', async () => {
    const fake = createFakeRouter(async function* (_input, ctx) {
      yield { event: { case: 'decision', value: decision(false) } } satisfies FakeEvent;
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    });
    const traffic = createLiveTraffic();
    const router = observeRouter(inMemoryRouterClient(fake.impl), traffic);
    const controller = new AbortController();
    const stream = router.generate({}, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    expect(traffic.inFlight()).toBe(1);
    controller.abort(new ConnectError('client disconnected', Code.Canceled));
    await iterator.next().catch(() => undefined);
    expect(traffic.window(Date.now() + 1, 60_000)).toMatchObject({ requests: 1, cancelled: 1, errors: 0 });
    expect(traffic.inFlight()).toBe(0);
  });
});
