import { configValues } from '@sophia/platform';
import { z } from 'zod';
import { serverRoot } from '@sophia/openai-upstream';
import type { EndpointGatesOptions } from './endpoint-gates.ts';
import type { EndpointPoolOptions } from './endpoint-pool.ts';
import type { GpuInferenceDeps } from './gpu-inference-handler.ts';

const urlList = configValues.list().pipe(z.array(z.url({ protocol: /^https?$/, error: 'each entry must be an http(s) URL' })));

const modelMapValue = z.string().transform((s, ctx) => {
  const map = new Map<string, string>();
  for (const pair of s.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [from, to, extra] = pair.split('=').map((x) => x.trim());
    if (!from || !to || extra !== undefined) {
      ctx.addIssue({ code: 'custom', message: `expected "catalogId=servedName[,…]", got "${pair}"` });
      return z.NEVER;
    }
    map.set(from, to);
  }
  return map;
});

const endpointLimits = z.string().transform((s, ctx) => {
  const limits = new Map<string, number>();
  for (const pair of s.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const at = pair.lastIndexOf('=');
    const url = pair.slice(0, at).trim();
    const limit = Number(pair.slice(at + 1).trim());
    if (at <= 0 || !/^https?:\/\//.test(url) || !Number.isInteger(limit) || limit < 0) {
      ctx.addIssue({ code: 'custom', message: `expected "http(s)://host:port=limit[,…]" with a whole limit >= 0, got "${pair}"` });
      return z.NEVER;
    }
    limits.set(serverRoot(url).href.replace(/\/$/, ''), limit);
  }
  return limits;
});

/** Keys of the GPU backend (merged by runService with the shared ones and the port). */
export const gpuConfigSchema = z.object({
  /** vLLM server roots, comma-separated; empty means every Generate is UNAVAILABLE. */
  SOPHIA_GPU_BASE_URLS: urlList.default([]),
  /** vLLM `--api-key`, if set on the servers. */
  SOPHIA_GPU_API_KEY: z.string().min(1).optional(),
  /** catalogId=servedName pairs; ids not listed pass through unchanged. */
  SOPHIA_GPU_MODEL_MAP: modelMapValue.optional(),
  SOPHIA_GPU_HEALTH_INTERVAL_MS: configValues.durationMs(5_000),
  SOPHIA_GPU_PROBE_TIMEOUT_MS: configValues.durationMs(2_000),
  SOPHIA_GPU_CONNECT_TIMEOUT_MS: configValues.durationMs(1_000),
  /** vLLM queues requests under load, so the first token may legitimately take a while. */
  SOPHIA_GPU_FIRST_TOKEN_TIMEOUT_MS: configValues.durationMs(60_000),
  /** Lower bound of the first-token timeout learned per endpoint (4 × its recent p99); the key above is the upper. */
  SOPHIA_GPU_FIRST_TOKEN_MIN_MS: configValues.durationMs(2_000),
  /** Requests in flight per endpoint (vLLM's default max_num_seqs); more wait in a visible queue. 0 = unlimited. */
  SOPHIA_GPU_MAX_INFLIGHT: z.coerce.number().int().min(0).default(256),
  /** Per-endpoint in-flight limits, `url=limit,…` (a bigger or smaller box than the default). */
  SOPHIA_GPU_ENDPOINT_MAX_INFLIGHT: endpointLimits.optional(),
  /** Requests allowed to wait per endpoint; a full queue answers RESOURCE_EXHAUSTED with retry-after (the router falls back). */
  SOPHIA_GPU_QUEUE_LIMIT: z.coerce.number().int().min(0).default(256),
  SOPHIA_GPU_STALL_TIMEOUT_MS: configValues.durationMs(20_000),
  SOPHIA_GPU_TOTAL_TIMEOUT_MS: configValues.durationMs(600_000),
});

/** Parsed GPU configuration. */
export type GpuConfig = z.infer<typeof gpuConfigSchema>;

/** Splits parsed configuration into the pool's options and the handler's (pool excluded) deps. */
export function gpuOptionsFromConfig(config: GpuConfig): { pool: EndpointPoolOptions; handler: Omit<GpuInferenceDeps, 'pool'>; gates: EndpointGatesOptions; ttft: { minMs: number; maxMs: number } } {
  const map = config.SOPHIA_GPU_MODEL_MAP;
  const apiKey = config.SOPHIA_GPU_API_KEY ? { apiKey: config.SOPHIA_GPU_API_KEY } : {};
  return {
    pool: {
      urls: config.SOPHIA_GPU_BASE_URLS,
      healthIntervalMs: config.SOPHIA_GPU_HEALTH_INTERVAL_MS,
      probeTimeoutMs: config.SOPHIA_GPU_PROBE_TIMEOUT_MS,
      ...apiKey,
    },
    handler: {
      ...apiKey,
      ...(map ? { modelMap: (id: string) => map.get(id) ?? id } : {}),
      timeouts: {
        connectMs: config.SOPHIA_GPU_CONNECT_TIMEOUT_MS,
        firstTokenMs: config.SOPHIA_GPU_FIRST_TOKEN_TIMEOUT_MS,
        stallMs: config.SOPHIA_GPU_STALL_TIMEOUT_MS,
        totalMs: config.SOPHIA_GPU_TOTAL_TIMEOUT_MS,
      },
    },
    gates: {
      maxInFlight: config.SOPHIA_GPU_MAX_INFLIGHT,
      queueLimit: config.SOPHIA_GPU_QUEUE_LIMIT,
      ...(config.SOPHIA_GPU_ENDPOINT_MAX_INFLIGHT ? { perEndpoint: config.SOPHIA_GPU_ENDPOINT_MAX_INFLIGHT } : {}),
    },
    // A configured timeout below the default floor (a test mesh) wins.
    ttft: { minMs: Math.min(config.SOPHIA_GPU_FIRST_TOKEN_MIN_MS, config.SOPHIA_GPU_FIRST_TOKEN_TIMEOUT_MS), maxMs: config.SOPHIA_GPU_FIRST_TOKEN_TIMEOUT_MS },
  };
}
