import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { Code, ConnectError, createContextValues, type HandlerContext } from '@connectrpc/connect';

/** What the grpc-js adapter knows about one inbound call when it starts. */
export interface ServedCallInit {
  readonly service: DescService;
  readonly method: DescMethod;
  /** `/package.Service/Method`. */
  readonly path: string;
  /** The caller's deadline, relative; undefined for none. */
  readonly timeoutMs: number | undefined;
  /** Aborted when the server shuts down. */
  readonly shutdownSignal: AbortSignal;
  readonly requestHeader: Headers;
}

/** A handler context plus the two ends of its life the adapter controls. */
export interface ServedCallContext {
  readonly context: HandlerContext;
  /** Aborts the handler's signal (client cancelled); also releases the timer and the listener. */
  abort(reason: unknown): void;
  /**
   * The call is over: clears the deadline timer and the listener on the shutdown signal, without
   * aborting the handler's signal. Idempotent.
   */
  release(): void;
}

/**
 * The HandlerContext of one call served over grpc-js: its signal aborts at the caller's deadline
 * (DEADLINE_EXCEEDED), on server shutdown, or when the adapter aborts it (client cancelled), and
 * {@link ServedCallContext.release} takes down the timer and the shutdown listener once the call
 * has ended. Connect's `createHandlerContext` keeps both until the deadline passes: every finished
 * call left a live timer that later built a ConnectError and aborted a signal nobody watched, and a
 * listener on the shared shutdown signal — thousands of them under load, each `addEventListener`
 * walking the whole list.
 */
export function createServedCallContext(init: ServedCallInit): ServedCallContext {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let released = false;
  const onShutdown = (): void => abort(init.shutdownSignal.reason);
  const release = (): void => {
    if (released) return;
    released = true;
    if (timer !== undefined) clearTimeout(timer);
    init.shutdownSignal.removeEventListener('abort', onShutdown);
  };
  const abort = (reason: unknown): void => {
    release();
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const deadline = init.timeoutMs === undefined ? undefined : Date.now() + init.timeoutMs;
  if (init.timeoutMs !== undefined) {
    const expire = (): void => abort(new ConnectError('the operation timed out', Code.DeadlineExceeded));
    if (init.timeoutMs <= 0) expire();
    else timer = setTimeout(expire, init.timeoutMs);
  }
  if (init.shutdownSignal.aborted) abort(init.shutdownSignal.reason);
  else if (!released) init.shutdownSignal.addEventListener('abort', onShutdown, { once: true });

  // Response headers and trailers are made when first read: most calls set neither, and an
  // in-process caller that asks for neither never reads them.
  let responseHeader: Headers | undefined;
  let responseTrailer: Headers | undefined;
  let values: HandlerContext['values'] | undefined;
  const context: HandlerContext = {
    service: init.service,
    method: init.method,
    signal: controller.signal,
    timeoutMs: () => (deadline === undefined ? undefined : deadline - Date.now()),
    requestMethod: 'POST',
    requestHeader: init.requestHeader,
    get responseHeader() {
      return (responseHeader ??= new Headers());
    },
    get responseTrailer() {
      return (responseTrailer ??= new Headers());
    },
    protocolName: 'grpc',
    get values() {
      return (values ??= createContextValues());
    },
    url: init.path,
  };
  return { context, abort, release };
}
