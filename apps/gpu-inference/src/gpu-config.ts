import { configValues } from '@sophia/platform';
import { z } from 'zod';
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
  SOPHIA_GPU_STALL_TIMEOUT_MS: configValues.durationMs(20_000),
  SOPHIA_GPU_TOTAL_TIMEOUT_MS: configValues.durationMs(600_000),
});

/** Parsed GPU configuration. */
export type GpuConfig = z.infer<typeof gpuConfigSchema>;

/** Splits parsed configuration into the pool's options and the handler's (pool excluded) deps. */
export function gpuOptionsFromConfig(config: GpuConfig): { pool: EndpointPoolOptions; handler: Omit<GpuInferenceDeps, 'pool'> } {
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
  };
}
