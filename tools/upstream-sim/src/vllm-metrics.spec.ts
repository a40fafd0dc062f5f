import { setTimeout as delay } from 'node:timers/promises';
import { createSpecClient, type SpecClient } from './spec-client.ts';
import { createUpstreamSimulator, type UpstreamSimulator } from './upstream-simulator.ts';

let sim: UpstreamSimulator;
let client: SpecClient;

beforeAll(async () => {
  sim = await createUpstreamSimulator({ persona: 'vllm', models: ['m', 'idle'], maxConcurrency: 2, defaultOutputTokens: 8, kvCacheTokens: 1000 });
  client = createSpecClient();
});

afterAll(async () => {
  await client.close();
  await sim.close();
});

/** The value of one sample line, e.g. metric('vllm:num_requests_running{model_name="m"}'). */
async function metrics(): Promise<(sample: string) => number> {
  const text = (await client.send(`${sim.url}/metrics`)).text;
  return (sample) => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
    if (line === undefined) throw new Error(`no sample ${sample} in /metrics:\n${text}`);
    return Number(line.slice(sample.length + 1));
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await delay(10);
  expect(condition()).toBe(true);
}

const chat = (content: string, signal?: AbortSignal) =>
  client.send(`${sim.url}/v1/chat/completions`, {
    body: { model: 'm', messages: [{ role: 'user', content }], stream: true, stream_options: { include_usage: true } },
    ...(signal ? { signal } : {}),
  });

describe('vLLM metrics', () => {
  it('reports real running and waiting requests and KV-cache usage, and returns to zero', async () => {
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const pending = controllers.map((controller) =>
      chat('hold [[sim:fault=silent]]', controller.signal).then(() => undefined, () => undefined),
    );
    await until(() => sim.stats().running === 2 && sim.stats().waiting === 1);
    let metric = await metrics();
    expect(metric('vllm:num_requests_running{model_name="m"}')).toBe(2);
    expect(metric('vllm:num_requests_waiting{model_name="m"}')).toBe(1);
    expect(metric('vllm:num_requests_running{model_name="idle"}')).toBe(0);
    expect(metric('vllm:kv_cache_usage_perc{model_name="m"}')).toBeGreaterThan(0);

    // the waiting one leaves first: it must stop counting as waiting without ever running
    controllers[2]!.abort();
    await until(() => sim.stats().waiting === 0);
    expect(sim.stats().running).toBe(2);
    controllers[0]!.abort();
    controllers[1]!.abort();
    await Promise.all(pending);
    await until(() => sim.stats().running === 0 && sim.stats().inFlight === 0);
    metric = await metrics();
    expect(metric('vllm:num_requests_running{model_name="m"}')).toBe(0);
    expect(metric('vllm:num_requests_waiting{model_name="m"}')).toBe(0);
    expect(metric('vllm:kv_cache_usage_perc{model_name="m"}')).toBe(0);
  });

  it('counts tokens, time to first token and requests by status', async () => {
    const before = await metrics();
    const generatedBefore = before('vllm:generation_tokens_total{model_name="m"}');
    const response = await chat('count me');
    expect(response.events.at(-1)).toBe('[DONE]');
    const usage = JSON.parse(response.events.at(-2)!).usage as { prompt_tokens: number; completion_tokens: number };
    const after = await metrics();
    expect(after('vllm:generation_tokens_total{model_name="m"}') - generatedBefore).toBe(usage.completion_tokens);
    expect(after('vllm:time_to_first_token_seconds_count{model_name="m"}')).toBeGreaterThanOrEqual(1);
    expect(after('vllm:request_success_total{model_name="m",finished_reason="stop"}')).toBeGreaterThanOrEqual(1);
    expect(after('http_requests_total{handler="/v1/chat/completions",method="POST",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(after('sim_faults_injected_total{fault="silent"}')).toBe(3);
  });
});
