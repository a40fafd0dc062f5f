import { getEventListeners } from 'node:events';
import { Code, ConnectError } from '@connectrpc/connect';
import { ClassifierService } from '@sophia/contracts/classifier';
import { createServedCallContext, type ServedCallInit } from './served-call-context.ts';

const method = ClassifierService.method.classify;
const init = (over: Partial<ServedCallInit>): ServedCallInit => ({
  service: ClassifierService,
  method,
  path: '/sophia.classifier.v1.ClassifierService/Classify',
  timeoutMs: undefined,
  shutdownSignal: new AbortController().signal,
  requestHeader: new Headers({ 'x-request-id': 'r1' }),
  ...over,
});

describe('createServedCallContext', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('carries the call’s method, headers and remaining time', () => {
    const { context } = createServedCallContext(init({ timeoutMs: 500 }));
    expect(context.method).toBe(method);
    expect(context.protocolName).toBe('grpc');
    expect(context.requestHeader.get('x-request-id')).toBe('r1');
    jest.advanceTimersByTime(200);
    expect(context.timeoutMs()).toBe(300);
    expect(createServedCallContext(init({})).context.timeoutMs()).toBeUndefined();
  });

  it('aborts with DEADLINE_EXCEEDED when the deadline passes, at once for one already past', () => {
    const { context } = createServedCallContext(init({ timeoutMs: 100 }));
    jest.advanceTimersByTime(99);
    expect(context.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(context.signal.reason).toBeInstanceOf(ConnectError);
    expect((context.signal.reason as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect(createServedCallContext(init({ timeoutMs: 0 })).context.signal.aborted).toBe(true);
  });

  it('aborts on server shutdown, and at once when the server is already shutting down', () => {
    const shutdown = new AbortController();
    const { context } = createServedCallContext(init({ shutdownSignal: shutdown.signal }));
    shutdown.abort(new Error('draining'));
    expect((context.signal.reason as Error).message).toBe('draining');
    expect(createServedCallContext(init({ shutdownSignal: shutdown.signal })).context.signal.aborted).toBe(true);
  });

  it('once released, leaves no timer and no shutdown listener behind, and never aborts', () => {
    const shutdown = new AbortController();
    const calls = Array.from({ length: 3 }, () => createServedCallContext(init({ timeoutMs: 1000, shutdownSignal: shutdown.signal })));
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(3);
    for (const call of calls) call.release();
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(2000);
    shutdown.abort();
    expect(calls.map((c) => c.context.signal.aborted)).toEqual([false, false, false]);
  });

  it('abort (client cancelled) aborts with the reason given and releases', () => {
    const shutdown = new AbortController();
    const call = createServedCallContext(init({ timeoutMs: 1000, shutdownSignal: shutdown.signal }));
    call.abort(new Error('client cancelled the call'));
    expect((call.context.signal.reason as Error).message).toBe('client cancelled the call');
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});
