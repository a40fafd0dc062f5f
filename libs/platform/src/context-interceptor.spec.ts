// The outbound interceptor bounds each call by the served call's remaining deadline: the signal it
// hands down aborts at the deadline while the call runs, and lets go of its timer once the call
// ends (unary at once, a stream when it is drained), so nothing keeps a finished call alive.
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { createCallContext, runWithCallContext } from './call-context.ts';
import { createContextInterceptor } from './context-interceptor.ts';

type Next = Parameters<Interceptor>[0];
type Request = Parameters<Next>[0];
type Response = Awaited<ReturnType<Next>>;

const request = (): Request =>
  ({
    header: new Headers(),
    signal: new AbortController().signal,
    service: { typeName: 'test.v1.Svc' },
    method: { name: 'Call' },
    url: 'http://127.0.0.1:1/test.v1.Svc/Call',
    stream: false,
  }) as unknown as Request;

/** Calls the interceptor inside a served call whose deadline is `ms` away; `next` records what it got. */
function call(ms: number | undefined, next: (req: Request) => Promise<Response>): Promise<Response> {
  const ctx = createCallContext({ requestId: 'req-1', deadline: ms === undefined ? undefined : Date.now() + ms, method: 'test.v1.Svc/Outer' }, ROOT_CONTEXT);
  return runWithCallContext(ctx, () => createContextInterceptor()(next)(request()));
}

const unary = { stream: false, message: {} } as unknown as Response;

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('createContextInterceptor', () => {
  it('aborts the call it bounds at the served call\'s deadline, with a TimeoutError, and sends the deadline as grpc-timeout', async () => {
    let seen: Request | undefined;
    let finish: (r: Response) => void = () => undefined;
    const pending = call(5_000, (req) => ((seen = req), new Promise<Response>((resolve) => (finish = resolve))));
    await Promise.resolve();
    expect(seen?.header.get('grpc-timeout')).toMatch(/^\d+m$/);
    expect(Number(seen?.header.get('grpc-timeout')?.slice(0, -1))).toBeLessThanOrEqual(5_000);
    expect(seen?.signal.aborted).toBe(false);
    jest.advanceTimersByTime(5_001);
    expect(seen?.signal.aborted).toBe(true);
    expect((seen?.signal.reason as DOMException).name).toBe('TimeoutError');
    finish(unary);
    await pending;
  });

  it('lets go of the deadline once a unary call has answered: its signal never fires afterwards', async () => {
    let seen: Request | undefined;
    await call(5_000, async (req) => ((seen = req), unary));
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10_000);
    expect(seen?.signal.aborted).toBe(false);
  });

  it('keeps a stream bounded until it is drained, then lets go', async () => {
    let seen: Request | undefined;
    const stream = {
      stream: true,
      message: (async function* () {
        yield 1;
        yield 2;
      })(),
    } as unknown as Response;
    const res = await call(5_000, async (req) => ((seen = req), stream));
    expect(jest.getTimerCount()).toBe(1);
    const got: unknown[] = [];
    for await (const m of res.message as AsyncIterable<unknown>) got.push(m);
    expect(got).toEqual([1, 2]);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10_000);
    expect(seen?.signal.aborted).toBe(false);
  });

  it('lets go of the deadline when the call fails, and passes the error on', async () => {
    await expect(call(5_000, () => Promise.reject(new ConnectError('down', Code.Unavailable)))).rejects.toThrow(/down/);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('fails at once with DEADLINE_EXCEEDED when the deadline has passed, without calling', async () => {
    const next = jest.fn<Promise<Response>, [Request]>();
    await expect(call(-1, next)).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    expect(next).not.toHaveBeenCalled();
  });

  it('adds no deadline when the served call has none', async () => {
    let seen: Request | undefined;
    await call(undefined, async (req) => ((seen = req), unary));
    expect(seen?.header.get('grpc-timeout')).toBeNull();
    expect(seen?.header.get('x-request-id')).toBe('req-1');
  });
});
