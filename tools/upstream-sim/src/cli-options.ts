import { parseArgs } from 'node:util';
import { FaultSpecError, parseFaultSpec } from './fault-spec.ts';
import type { UpstreamSimulatorOptions } from './upstream-simulator.ts';

/**
 * Command-line and environment configuration of the simulator process, parsed once at start. Flags win
 * over SIM_* variables; any bad value is reported with the flag (or variable) that carried it.
 */
export type CliParseResult =
  | { ok: true; options: UpstreamSimulatorOptions }
  | { ok: true; help: true }
  | { ok: false; message: string };

/** Flags, their SIM_* environment fallbacks and how values are read. */
const FLAGS = {
  persona: { env: 'SIM_PERSONA', kind: 'string' },
  host: { env: 'SIM_HOST', kind: 'string' },
  port: { env: 'SIM_PORT', kind: 'integer' },
  models: { env: 'SIM_MODELS', kind: 'list' },
  'api-key': { env: 'SIM_API_KEY', kind: 'string' },
  'ttft-ms': { env: 'SIM_TTFT_MS', kind: 'integer' },
  'inter-token-ms': { env: 'SIM_INTER_TOKEN_MS', kind: 'integer' },
  'default-output-tokens': { env: 'SIM_DEFAULT_OUTPUT_TOKENS', kind: 'integer' },
  'max-concurrency': { env: 'SIM_MAX_CONCURRENCY', kind: 'integer' },
  'kv-cache-tokens': { env: 'SIM_KV_CACHE_TOKENS', kind: 'integer' },
  seed: { env: 'SIM_SEED', kind: 'integer' },
  fault: { env: 'SIM_FAULT', kind: 'string' },
  'prompt-token-percent': { env: 'SIM_PROMPT_TOKEN_PERCENT', kind: 'integer' },
  'prompt-overhead-tokens': { env: 'SIM_PROMPT_OVERHEAD_TOKENS', kind: 'integer' },
} as const;

type Flag = keyof typeof FLAGS;

/** Usage text for --help and bad flags. */
export const USAGE = `usage: node tools/upstream-sim/src/main.ts --persona serverless|vllm [options]
  --host H                 listen address (default 127.0.0.1)          SIM_HOST
  --port N                 listen port, 0 = ephemeral (default 0)      SIM_PORT
  --models a,b             served model ids (default: any)             SIM_MODELS
  --api-key K              require Authorization: Bearer K             SIM_API_KEY
  --ttft-ms N              time to first token (default 0)             SIM_TTFT_MS
  --inter-token-ms N       gap between tokens (default 0)              SIM_INTER_TOKEN_MS
  --default-output-tokens N answer length in tokens (default 64)       SIM_DEFAULT_OUTPUT_TOKENS
  --max-concurrency N      running requests before others wait         SIM_MAX_CONCURRENCY
  --kv-cache-tokens N      KV-cache capacity for metrics (65536)       SIM_KV_CACHE_TOKENS
  --seed N                 seed of per-request fail-rate faults        SIM_SEED
  --fault SPEC             process-level fault, e.g. status:code=503   SIM_FAULT
  --prompt-token-percent N bill prompts at N % of the local count (100) SIM_PROMPT_TOKEN_PERCENT
  --prompt-overhead-tokens N add N billed prompt tokens (chat template) SIM_PROMPT_OVERHEAD_TOKENS
  persona also from SIM_PERSONA`;

function integerOf(source: string, raw: string): number | string {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 0) {
    return `${source} must be a non-negative integer, got "${raw}"`;
  }
  return value;
}

/** Parses argv (without node and script) and an environment object. */
export function parseCliOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliParseResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]));
    values = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  if (values['help'] === true) return { ok: true, help: true };

  const raw: Partial<Record<Flag, { value: string; source: string }>> = {};
  for (const flag of Object.keys(FLAGS) as Flag[]) {
    const fromFlag = values[flag];
    const fromEnv = env[FLAGS[flag].env];
    if (typeof fromFlag === 'string') raw[flag] = { value: fromFlag, source: `--${flag}` };
    else if (fromEnv !== undefined && fromEnv !== '') raw[flag] = { value: fromEnv, source: FLAGS[flag].env };
  }

  const persona = raw.persona;
  if (!persona) return { ok: false, message: '--persona is required (serverless or vllm)' };
  if (persona.value !== 'serverless' && persona.value !== 'vllm') {
    return { ok: false, message: `${persona.source} must be "serverless" or "vllm", got "${persona.value}"` };
  }
  const options: UpstreamSimulatorOptions = { persona: persona.value };
  const integers: Array<
    [Flag, 'port' | 'ttftMs' | 'interTokenMs' | 'defaultOutputTokens' | 'maxConcurrency' | 'kvCacheTokens' | 'seed' | 'promptTokenPercent' | 'promptOverheadTokens']
  > = [
    ['port', 'port'],
    ['ttft-ms', 'ttftMs'],
    ['inter-token-ms', 'interTokenMs'],
    ['default-output-tokens', 'defaultOutputTokens'],
    ['max-concurrency', 'maxConcurrency'],
    ['kv-cache-tokens', 'kvCacheTokens'],
    ['seed', 'seed'],
    ['prompt-token-percent', 'promptTokenPercent'],
    ['prompt-overhead-tokens', 'promptOverheadTokens'],
  ];
  for (const [flag, field] of integers) {
    const entry = raw[flag];
    if (!entry) continue;
    const value = integerOf(entry.source, entry.value);
    if (typeof value === 'string') return { ok: false, message: value };
    options[field] = value;
  }
  if (raw.port && (options.port ?? 0) > 65535) return { ok: false, message: `${raw.port.source} must be at most 65535` };
  if (raw['max-concurrency'] && options.maxConcurrency === 0) {
    return { ok: false, message: `${raw['max-concurrency'].source} must be at least 1` };
  }
  if (raw['kv-cache-tokens'] && options.kvCacheTokens === 0) {
    return { ok: false, message: `${raw['kv-cache-tokens'].source} must be at least 1` };
  }
  if (raw.host) options.host = raw.host.value;
  if (raw['api-key']) options.apiKey = raw['api-key'].value;
  if (raw.models) {
    const models = raw.models.value.split(',').map((model) => model.trim()).filter((model) => model !== '');
    if (models.length === 0) return { ok: false, message: `${raw.models.source} must list at least one model` };
    options.models = models;
  }
  if (raw.fault) {
    try {
      options.fault = parseFaultSpec(raw.fault.value);
    } catch (error) {
      if (error instanceof FaultSpecError) return { ok: false, message: `${raw.fault.source}: ${error.message}` };
      throw error;
    }
  }
  return { ok: true, options };
}
