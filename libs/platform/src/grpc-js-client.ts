import {
  Client as GrpcClient,
  Metadata,
  credentials,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { create, fromBinary, toBinary, type DescMessage, type DescMethod, type DescService, type MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type CallOptions, type Client } from '@connectrpc/connect';
import { propagation, type Span, type TextMapSetter } from '@opentelemetry/api';
import { currentCallContext, remainingMs, REQUEST_ID_HEADER } from './call-context.ts';
import { meshCredentialHeaders } from './mesh-auth/mesh-credentials.ts';
import { endRpcSpan, startRpcClientSpan } from './telemetry/rpc-spans.ts';

const metadataSetter: TextMapSetter<Metadata> = { set: (md, key, value) => md.set(key, value) };

/**
 * The outgoing metadata of one call: the caller's headers, the served call's request id, and the
 * trace context of a new client span (child of the active span) written by the OTel propagators.
 */
function startCall(headers: CallOptions['headers'], service: DescService, method: DescMethod, address: string): { md: Metadata; span: Span | undefined } {
  const md = new Metadata();
  if (headers) new Headers(headers).forEach((value, key) => md.set(key, value));
  for (const [key, value] of meshCredentialHeaders()) md.set(key, value);
  const ctx = currentCallContext();
  if (ctx && md.get(REQUEST_ID_HEADER).length === 0) md.set(REQUEST_ID_HEADER, ctx.requestId);
  const client = startRpcClientSpan(service, method, 'grpc', address);
  if (client) propagation.inject(client.context, md, metadataSetter);
  return { md, span: client?.span };
}

function toHeaders(md: Metadata): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(md.getMap())) if (typeof value === 'string') headers.set(key, value);
  return headers;
}

/** The earlier of the caller's own timeout and the current call's remaining deadline. */
function deadlineFor(options: CallOptions, path: string): Date | undefined {
  const left = remainingMs(currentCallContext());
  if (left !== undefined && left <= 0) throw new ConnectError(`deadline exceeded before calling ${path}`, Code.DeadlineExceeded);
  const own = options.timeoutMs !== undefined && options.timeoutMs > 0 ? options.timeoutMs : undefined;
  const ms = own === undefined ? left : left === undefined ? own : Math.min(own, left);
  return ms === undefined ? undefined : new Date(Date.now() + Math.max(1, Math.floor(ms)));
}

/** grpc-js errors become ConnectErrors with the same code (the numbers are gRPC's), message and metadata. */
function toConnectError(err: unknown): ConnectError {
  const se = err as Partial<ServiceError>;
  if (typeof se.code === 'number') {
    return new ConnectError(se.details ?? se.message ?? 'error', se.code as number as Code, se.metadata ? toHeaders(se.metadata) : undefined);
  }
  return ConnectError.from(err);
}

/** A Buffer over the encoder's fresh bytes, without copying them. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function watchAbort(signal: AbortSignal | undefined, cancel: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    cancel();
    return () => undefined;
  }
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

/**
 * A connect-style `Client<S>` over a grpc-js channel: the same call surface (promises, async
 * iterables, CallOptions, ConnectError codes) as the connect-node transport, with grpc-js's
 * lighter HTTP/2 client underneath. Propagates request id, a child traceparent and the remaining
 * deadline from the call being served, like the context interceptor does for connect-node.
 */
export function createGrpcJsClient<S extends DescService>(service: S, address: string): Client<S> {
  const channel = new GrpcClient(address, credentials.createInsecure(), {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    // Channelz (per-call counters and traces for a channelz service) is not served here: don't pay for it.
    'grpc.enable_channelz': 0,
  });
  const client: Record<string, unknown> = {};
  for (const method of service.methods) {
    const path = `/${service.typeName}/${method.name}`;
    const input: DescMessage = method.input;
    const output: DescMessage = method.output;
    const serialize = (m: MessageInitShape<DescMessage>): Buffer => asBuffer(toBinary(input, create(input, m)));
    const deserialize = (b: Buffer): unknown => fromBinary(output, b);
    if (method.methodKind === 'unary') {
      client[method.localName] = (request: MessageInitShape<DescMessage>, options: CallOptions = {}) =>
        new Promise((resolve, reject) => {
          let deadline: Date | undefined;
          try {
            deadline = deadlineFor(options, path);
          } catch (err) {
            reject(err);
            return;
          }
          let unwatch = (): void => undefined;
          const { md, span } = startCall(options.headers, service, method, address);
          const call = channel.makeUnaryRequest(path, serialize, deserialize, request, md, deadline ? { deadline } : {}, (err, res) => {
            unwatch();
            if (err) {
              const ce = toConnectError(err);
              endRpcSpan(span, ce.code, ce, 'client');
              reject(ce);
            } else {
              endRpcSpan(span, 0, undefined, 'client');
              resolve(res);
            }
          });
          if (options.onHeader) call.on('metadata', (md: Metadata) => options.onHeader?.(toHeaders(md)));
          if (options.onTrailer) call.on('status', (st: { metadata: Metadata }) => options.onTrailer?.(toHeaders(st.metadata)));
          unwatch = watchAbort(options.signal, () => call.cancel());
        });
    } else if (method.methodKind === 'server_streaming') {
      client[method.localName] = (request: MessageInitShape<DescMessage>, options: CallOptions = {}): AsyncIterable<unknown> => {
        // Context (request id, trace, deadline) is taken when the call is made, as connect-node
        // does, not when iteration starts — the caller may iterate outside the served call's scope.
        let deadline: Date | undefined;
        let early: unknown;
        try {
          deadline = deadlineFor(options, path);
        } catch (err) {
          early = err;
        }
        const { md: metadata, span } = startCall(options.headers, service, method, address);
        return {
        async *[Symbol.asyncIterator]() {
          if (early !== undefined) {
            endRpcSpan(span, early instanceof ConnectError ? early.code : Code.Unknown, early, 'client');
            throw early;
          }
          const call: ClientReadableStream<unknown> = channel.makeServerStreamRequest(path, serialize, deserialize, request, metadata, deadline ? { deadline } : {});
          if (options.onHeader) call.on('metadata', (md: Metadata) => options.onHeader?.(toHeaders(md)));
          if (options.onTrailer) call.on('status', (st: { metadata: Metadata }) => options.onTrailer?.(toHeaders(st.metadata)));
          const unwatch = watchAbort(options.signal, () => call.cancel());
          let finished = false;
          try {
            for await (const message of call) yield message;
            finished = true;
            endRpcSpan(span, 0, undefined, 'client');
          } catch (err) {
            finished = true;
            const ce = toConnectError(err);
            endRpcSpan(span, ce.code, ce, 'client');
            throw ce;
          } finally {
            unwatch();
            // The consumer stopped early: release the stream instead of leaving it open.
            if (!finished) {
              call.cancel();
              endRpcSpan(span, Code.Canceled, undefined, 'client');
            }
          }
        },
        };
      };
    } else {
      client[method.localName] = () => {
        throw new ConnectError(`${path}: ${method.methodKind} calls are not supported by this client`, Code.Unimplemented);
      };
    }
  }
  return client as Client<S>;
}
