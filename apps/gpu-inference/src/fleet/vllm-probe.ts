// The readiness/health probe of a managed instance: vLLM's /health answers, /v1/models lists the
// pool's model, and /metrics gives the queue (`vllm:num_requests_waiting`) that the queue-depth rule
// reads. Uses the same HTTP client as the endpoint pool, so failures read the same way.
import { listUpstreamModels, requestUpstreamText } from '@sophia/openai-upstream';
import { parsePrometheusText, sumMetric } from '../parse-prometheus-text.ts';
import type { ProbeResult } from './fleet-controller.ts';
import type { FleetInstance } from './store/fleet-store.ts';

/** Options for createVllmProbe. */
export interface VllmProbeOptions {
  /** @default 2000 */
  readonly timeoutMs?: number;
  /** vLLM `--api-key` (guards /v1/* only). */
  readonly apiKey?: string;
}

/** A probe over HTTP for instances whose baseUrl is known. */
export function createVllmProbe(options: VllmProbeOptions = {}): (instance: FleetInstance) => Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async (instance) => {
    if (instance.baseUrl === undefined) return { healthy: false, models: [], waiting: 0, error: 'no address yet' };
    const common = { timeoutMs, connectTimeoutMs: timeoutMs };
    const root = `${instance.baseUrl}/`;
    const [health, models, metrics] = await Promise.allSettled([
      requestUpstreamText({ url: new URL('health', root), ...common }),
      listUpstreamModels({ baseUrl: `${instance.baseUrl}/v1`, ...common, ...(options.apiKey ? { apiKey: options.apiKey } : {}) }),
      requestUpstreamText({ url: new URL('metrics', root), ...common }),
    ]);
    const reason = (r: PromiseSettledResult<unknown>): string => (r.status === 'rejected' ? (r.reason instanceof Error ? r.reason.message : String(r.reason)) : '');
    let waiting = 0;
    if (metrics.status === 'fulfilled') {
      try {
        waiting = sumMetric(parsePrometheusText(metrics.value), 'vllm:num_requests_waiting') ?? 0;
      } catch {
        waiting = 0;
      }
    }
    const error = [reason(health), reason(models)].filter((e) => e !== '').join('; ');
    return {
      healthy: health.status === 'fulfilled',
      models: models.status === 'fulfilled' ? models.value : [],
      waiting,
      ...(error ? { error } : {}),
    };
  };
}
