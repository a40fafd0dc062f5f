import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AdmissionQueue } from './admission-queue.ts';

/**
 * vLLM-compatible Prometheus metrics, so the GPU pool's least-loaded pick and dashboards can be tested
 * against the simulator exactly as against a vLLM server. Each simulator has its own registry, so several
 * can run in one process.
 */
export interface VllmMetrics {
  observeFirstToken(model: string, seconds: number): void;
  observeFinished(model: string, finishReason: string, promptTokens: number, completionTokens: number, seconds: number): void;
  observeHttp(handler: string, method: string, status: string): void;
  observeFault(kind: string): void;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface VllmMetricsOptions {
  queue: AdmissionQueue;
  /** Configured models, exported with zero load before their first request. */
  models?: readonly string[];
  /** Simulated KV-cache capacity in tokens (the denominator of kv_cache_usage_perc). */
  kvCacheTokens: number;
}

/** vLLM's bucket boundaries for time_to_first_token_seconds. */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const E2E_BUCKETS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

/** Creates the registry and its metrics. */
export function createVllmMetrics(options: VllmMetricsOptions): VllmMetrics {
  const registry = new Registry();
  const registers = [registry];
  const modelNames = (): string[] => [...new Set([...(options.models ?? []), ...options.queue.loadByModel().keys()])];

  const loadGauge = (name: string, help: string, value: (model: string) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['model_name'],
      registers,
      collect() {
        this.reset();
        for (const model of modelNames()) this.set({ model_name: model }, value(model));
      },
    });
  };
  const load = (model: string) => options.queue.loadByModel().get(model);
  const kvUsage = (model: string): number => Math.min(1, (load(model)?.kvTokens ?? 0) / options.kvCacheTokens);
  loadGauge('vllm:num_requests_running', 'Number of requests currently running.', (m) => load(m)?.running ?? 0);
  loadGauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', (m) => load(m)?.waiting ?? 0);
  loadGauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', kvUsage);
  loadGauge('vllm:gpu_cache_usage_perc', 'GPU KV-cache usage (pre-0.10 name). 1 means 100 percent usage.', kvUsage);

  const ttft = new Histogram({
    name: 'vllm:time_to_first_token_seconds',
    help: 'Histogram of time to first token in seconds.',
    labelNames: ['model_name'],
    buckets: TTFT_BUCKETS,
    registers,
  });
  const e2e = new Histogram({
    name: 'vllm:e2e_request_latency_seconds',
    help: 'Histogram of end to end request latency in seconds.',
    labelNames: ['model_name'],
    buckets: E2E_BUCKETS,
    registers,
  });
  const promptTokens = new Counter({ name: 'vllm:prompt_tokens_total', help: 'Number of prefill tokens processed.', labelNames: ['model_name'], registers });
  const generationTokens = new Counter({ name: 'vllm:generation_tokens_total', help: 'Number of generation tokens processed.', labelNames: ['model_name'], registers });
  const success = new Counter({
    name: 'vllm:request_success_total',
    help: 'Count of successfully processed requests.',
    labelNames: ['model_name', 'finished_reason'],
    registers,
  });
  const http = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by handler, method and status code ("incomplete" when the connection ended first).',
    labelNames: ['handler', 'method', 'status'],
    registers,
  });
  const faults = new Counter({ name: 'sim_faults_injected_total', help: 'Faults injected by the simulator.', labelNames: ['fault'], registers });

  return {
    observeFirstToken: (model, seconds) => ttft.observe({ model_name: model }, seconds),
    observeFinished(model, finishReason, prompt, completion, seconds) {
      promptTokens.inc({ model_name: model }, prompt);
      generationTokens.inc({ model_name: model }, completion);
      e2e.observe({ model_name: model }, seconds);
      success.inc({ model_name: model, finished_reason: finishReason });
    },
    observeHttp: (handler, method, status) => http.inc({ handler, method, status }),
    observeFault: (kind) => faults.inc({ fault: kind }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
