import { createFakeOpenAiServer, writeCompletion, type FakeOpenAiServer } from '@sophia/openai-upstream/testing';

/** Mutable state a fake vLLM endpoint reports. */
export interface FakeVllmState {
  healthy: boolean;
  running: number;
  waiting: number;
  kv: number;
  models: string[];
  /** When set, /metrics answers this text instead. */
  metricsText?: string;
  /** Chat answer; default a short successful completion. */
  chatStatus: number;
}

/** A scripted vLLM server (health, metrics, models, chat) for pool and handler specs. */
export interface FakeVllm {
  server: FakeOpenAiServer;
  state: FakeVllmState;
  url: string;
  chatRequests(): number;
  close(): Promise<void>;
}

/**
 * Starts a fake vLLM endpoint on port 0 whose health, load and models a spec sets directly, so
 * pool decisions can be asserted without timing. (Spec helper; not exported from the package.)
 */
export async function createFakeVllm(init: Partial<FakeVllmState> = {}): Promise<FakeVllm> {
  const server = await createFakeOpenAiServer();
  const state: FakeVllmState = { healthy: true, running: 0, waiting: 0, kv: 0, models: ['m'], chatStatus: 200, ...init };
  server.route('GET /health', (_req, res) => res.writeHead(state.healthy ? 200 : 503).end());
  server.route('GET /metrics', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      state.metricsText ??
        [
          '# TYPE vllm:num_requests_running gauge',
          ...state.models.map((m) => `vllm:num_requests_running{model_name="${m}"} ${state.running / state.models.length}`),
          `vllm:num_requests_waiting{model_name="${state.models[0] ?? 'x'}"} ${state.waiting}`,
          `vllm:kv_cache_usage_perc{model_name="${state.models[0] ?? 'x'}"} ${state.kv}`,
          '',
        ].join('\n'),
    );
  });
  server.route('GET /v1/models', (_req, res) => res.end(JSON.stringify({ object: 'list', data: state.models.map((id) => ({ id, object: 'model' })) })));
  server.route('POST /v1/chat/completions', (req, res) => {
    if (state.chatStatus !== 200) return res.writeHead(state.chatStatus).end();
    return writeCompletion(res, { texts: ['from ', server.url], model: JSON.parse(req.body).model });
  });
  return {
    server,
    state,
    url: server.url,
    chatRequests: () => server.requests.filter((r) => r.path === '/v1/chat/completions').length,
    close: () => server.close(),
  };
}
