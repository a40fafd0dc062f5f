import { status } from '@grpc/grpc-js';
import type { DescMethod, DescService } from '@bufbuild/protobuf';
import type { Logger } from 'pino';
import { statusName } from './grpc-status.ts';
import type { ServiceMetrics } from './service-metrics.ts';

/** Counts and logs the calls of one method, whichever transport served them. */
export interface MethodRecorder {
  /** A call began; returns its start time for {@link MethodRecorder.finish}. */
  start(): bigint;
  /** A call ended with `code` (and the thrown value when it failed). */
  finish(startedAt: bigint, code: number, err?: unknown): void;
  /** One message was sent on a server stream. */
  message(): void;
}

/**
 * The server-side metrics and failure logs of one method, shared by the grpc-js adapter and the
 * in-process transport, so a call counts the same in `grpc_server_*` however it arrived: INTERNAL
 * and UNKNOWN are logged as errors with their cause, other codes at debug.
 */
export function createMethodRecorder(
  service: DescService,
  method: DescMethod,
  options: { readonly logger: Logger; readonly metrics?: ServiceMetrics | undefined },
): MethodRecorder {
  const labels = { grpc_service: service.typeName, grpc_method: method.name, grpc_type: method.methodKind };
  const streamLabels = { grpc_service: service.typeName, grpc_method: method.name };
  // Label sets built once per method (and per status code on first use), not per call.
  const handledLabels = new Map<number, typeof labels & { grpc_code: string }>();
  const handledFor = (code: number): typeof labels & { grpc_code: string } => {
    let found = handledLabels.get(code);
    if (found === undefined) {
      found = { ...labels, grpc_code: statusName(code) };
      handledLabels.set(code, found);
    }
    return found;
  };
  return {
    start() {
      options.metrics?.started.inc(labels);
      return process.hrtime.bigint();
    },
    finish(startedAt, code, err) {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      options.metrics?.handled.inc(handledFor(code));
      options.metrics?.handlingSeconds.observe(labels, seconds);
      if (err !== undefined && (code === status.INTERNAL || code === status.UNKNOWN)) {
        options.logger.error({ err, method: labels.grpc_method, code: statusName(code) }, 'rpc failed');
      } else if (err !== undefined) {
        options.logger.debug({ method: labels.grpc_method, code: statusName(code), msg: (err as Error).message }, 'rpc ended with error');
      }
    },
    message() {
      options.metrics?.streamMessagesSent.inc(streamLabels);
    },
  };
}
