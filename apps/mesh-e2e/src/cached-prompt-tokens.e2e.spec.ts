// Prompt tokens a provider served from its prompt cache, end to end: the simulated provider reports
// them (`usage.prompt_tokens_details.cached_tokens`), the mesh carries them through every hop, the
// client reads them in the REST answer and in the streamed usage chunk, the ledger bills them at the
// offer's cached-input rate and counts them per tenant (docs/openai-compatibility.md, "usage").
import { LedgerService } from '@sophia/contracts/ledger';
import type { Mesh } from '@sophia/dev';
import { createServiceClient } from '@sophia/platform';
import { loadCatalog } from '@sophia/price-catalog';
import { startTestMesh } from './mesh-fixture.ts';

let mesh: Mesh;

beforeAll(async () => {
  mesh = await startTestMesh({}, { serverlessProviders: ['deepinfra', 'fireworks'] });
}, 90_000);

afterAll(async () => {
  await mesh?.stop();
});

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const CACHED = 256;
/** A prompt long enough that CACHED of its tokens is a real share of it; the marker makes the simulator report them cached. */
const PROMPT = `${'Our house rules for answering support tickets come first. '.repeat(40)}Now answer: hello? [[sim:cached-tokens=${CACHED}]]`;

interface OpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
}

async function chat(extra: Record<string, unknown>): Promise<Response> {
  return fetch(`${mesh.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mesh.apiKey}`, 'content-type': 'application/json' },
    // fireworks is the provider whose offer discounts cached prompt tokens (deepinfra, the cheaper one, does not).
    body: JSON.stringify({ model: MODEL, max_tokens: 16, provider: { only: ['fireworks'] }, messages: [{ role: 'user', content: PROMPT }], ...extra }),
  });
}

/** What the catalog's fireworks offer charges for `usage`, in micro-USD, cached tokens at their own rate. */
function fireworksMicroUsd(usage: OpenAiUsage): number {
  const offer = loadCatalog()
    .findModel(MODEL)!
    .offers.find((o) => o.provider === 'fireworks')!;
  expect(offer.cachedInputMicroUsdPerMTok).toBeLessThan(offer.inputMicroUsdPerMTok);
  const cached = usage.prompt_tokens_details.cached_tokens;
  const sum = (usage.prompt_tokens - cached) * offer.inputMicroUsdPerMTok + cached * offer.cachedInputMicroUsdPerMTok + usage.completion_tokens * offer.outputMicroUsdPerMTok;
  return Math.ceil(sum / 1_000_000);
}

const microUsdOf = (usd: string): number => Math.round(Number(usd) * 1_000_000);

describe('prompt-cache hits reported by the provider', () => {
  it('reach the REST answer as usage.prompt_tokens_details.cached_tokens and are billed at the cached-input rate', async () => {
    const res = await chat({});
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: OpenAiUsage; sophia: { provider: string; cost_usd: string } };
    expect(body.sophia.provider).toBe('fireworks');
    expect(body.usage.prompt_tokens).toBeGreaterThan(CACHED);
    expect(body.usage.prompt_tokens_details).toEqual({ cached_tokens: CACHED });
    const cost = microUsdOf(body.sophia.cost_usd);
    expect(cost).toBe(fireworksMicroUsd(body.usage));
    // Not the full input rate: the same usage with nothing cached costs more.
    expect(cost).toBeLessThan(fireworksMicroUsd({ ...body.usage, prompt_tokens_details: { cached_tokens: 0 } }));
  });

  it('reach the streamed usage chunk and the final chunk\'s cost', async () => {
    const res = await chat({ stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    const chunks = (await res.text())
      .split('\n\n')
      .map((e) => e.replace(/^data: /, '').trim())
      .filter((d) => d !== '' && d !== '[DONE]')
      .map((d) => JSON.parse(d) as { usage?: OpenAiUsage; sophia?: { cost_usd: string | null } });
    const usage = chunks.at(-1)!.usage!;
    expect(usage.prompt_tokens_details).toEqual({ cached_tokens: CACHED });
    const cost = chunks.map((c) => c.sophia?.cost_usd).filter((c): c is string => typeof c === 'string').at(-1)!;
    expect(microUsdOf(cost)).toBe(fireworksMicroUsd(usage));
  });

  it('are counted by the ledger for the tenant', async () => {
    const ledger = createServiceClient(LedgerService, String(mesh.services['ledger']!.ready['grpc']));
    const report = await ledger.queryUsage({ tenant: 'acme' });
    expect(report.total?.cachedPromptTokens).toBe(BigInt(2 * CACHED));
  });
});
