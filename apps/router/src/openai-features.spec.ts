import { Code, ConnectError, createClient, createRouterTransport, type ServiceImpl } from '@connectrpc/connect';
import { Role } from '@sophia/contracts/common';
import { InferenceService } from '@sophia/contracts/inference';
import { LedgerService, type ReserveRequest, type UsageEvent } from '@sophia/contracts/ledger';
import { RouterService } from '@sophia/contracts/router';
import { budgetOutageCause, budgetOutageRefusal } from '@sophia/platform/wire';
import { loadCatalog } from '@sophia/price-catalog';
import { pino } from 'pino';
import { createRouterHandler } from './router-handler.ts';
import { createTargetBreakers } from './target-breakers.ts';
import { memoryOverrideStore } from './testing/fake-mesh.ts';
import { collectGeneration } from './testing/collect-generation.ts';

// The router carries the OpenAI features end to end: choice events (tool calls, other choices) are
// relayed and billed, a stream that already sent a tool call is not "rescued" by continuation, the
// budget reservation counts n choices, and Embed routes to an embeddings model and bills it.

const catalog = loadCatalog();
const SMALL = 'meta-llama/Llama-3.1-8B-Instruct';
const EMB = 'BAAI/bge-large-en-v1.5';

function setup(serverless: Partial<ServiceImpl<typeof InferenceService>>, gpu: Partial<ServiceImpl<typeof InferenceService>> = serverless, ledgerCommitFails?: () => Error) {
  const reserves: ReserveRequest[] = [];
  const commits: UsageEvent[] = [];
  const ledger = createClient(
    LedgerService,
    createRouterTransport(({ service }) =>
      service(LedgerService, {
        reserve(req) {
          reserves.push(req);
          return { reservationId: req.requestId };
        },
        release: () => ({ released: true }),
        commit(req) {
          if (ledgerCommitFails) throw ledgerCommitFails();
          commits.push(req.event!);
          return { recorded: true, cost: { microUsd: 7n } };
        },
      }),
    ),
  );
  const backend = (impl: Partial<ServiceImpl<typeof InferenceService>>) => createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, impl)));
  const handler = createRouterHandler({
    catalog: () => catalog,
    ledger,
    backends: { serverless: backend(serverless), gpu: backend(gpu) },
    breakers: createTargetBreakers({ volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 60_000, rollingWindowMs: 10_000 }),
    logger: pino({ level: 'silent' }),
    overrides: memoryOverrideStore(),
    maxRescues: 1,
  });
  return { router: createClient(RouterService, createRouterTransport(({ service }) => service(RouterService, handler))), reserves, commits };
}

const toolCall = { index: 0, toolCalls: [{ index: 0, id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] };

const request = (params: Record<string, unknown>) => ({ input: { requestId: `r-${Math.random()}`, tenant: 'acme', model: SMALL, messages: [{ role: Role.USER, content: 'weather?' }], params } });

describe('router: OpenAI features', () => {
  it('relays choice events (tool calls) to the caller and bills the leg', async () => {
    const s = setup({
      async *generate() {
        yield { event: { case: 'choice', value: toolCall } };
        yield { event: { case: 'done', value: { usage: { promptTokens: 20, completionTokens: 9, totalTokens: 29 }, finishReason: 'tool_calls' } } };
      },
    });
    const { events, error } = await collectGeneration(s.router.generate(request({ tools: [{ name: 'get_weather', parametersJson: '{}' }] })));
    expect(error).toBeUndefined();
    expect(events.map((e) => e.case)).toEqual(['decision', 'choice', 'done']);
    expect(events[1]!.case === 'choice' && events[1]!.value.toolCalls[0]!.arguments).toBe('{"city":"Paris"}');
    expect(events[2]!.case === 'done' && events[2]!.value.finishReason).toBe('tool_calls');
    expect(s.commits.map((c) => c.usage?.completionTokens)).toEqual([9]);
  });

  it('does not rescue a stream that broke after a tool call was sent (a continuation cannot rebuild it), and bills the partial leg', async () => {
    let gpuCalls = 0;
    const s = setup(
      {
        async *generate() {
          yield { event: { case: 'choice', value: toolCall } };
          throw new ConnectError('connection reset', Code.Unavailable);
        },
      },
      {
        async *generate() {
          gpuCalls += 1;
          yield { event: { case: 'done', value: { finishReason: 'stop' } } };
        },
      },
    );
    const { error } = await collectGeneration(s.router.generate(request({ tools: [{ name: 'get_weather', parametersJson: '{}' }] })));
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.rawMessage).toMatch(/not rescued: tool calls, several choices or logprobs were already sent/);
    expect(gpuCalls).toBe(0);
    expect(s.commits).toHaveLength(1);
    expect(s.commits[0]!.completed).toBe(false);
    expect(s.commits[0]!.usage!.completionTokens).toBeGreaterThan(0);
  });

  it('reserves max_tokens for each of n choices', async () => {
    const s = setup({
      async *generate() {
        yield { event: { case: 'done', value: { usage: { promptTokens: 1, completionTokens: 3, totalTokens: 4 }, finishReason: 'stop' } } };
      },
    });
    await collectGeneration(s.router.generate(request({ maxTokens: 50, n: 3 })));
    await collectGeneration(s.router.generate(request({ maxTokens: 50 })));
    expect(s.reserves.map((r) => r.maxTokens)).toEqual([150, 50]);
  });

  it('embeds with an embeddings model (the catalog default when none is named), bills its input tokens, refuses a chat model', async () => {
    const asked: string[] = [];
    const s = setup({
      embed(req) {
        asked.push(req.model);
        return { data: req.input.map(() => ({ values: [0.5, 0.25] })), usage: { promptTokens: 4, totalTokens: 4 }, endpoint: 'deepinfra' };
      },
    });
    const res = await s.router.embed({ tenant: 'acme', input: ['a b', 'c'] });
    expect(asked).toEqual([EMB]);
    expect(res.data.map((d) => d.values)).toEqual([[0.5, 0.25], [0.5, 0.25]]);
    expect(res.decision).toMatchObject({ model: EMB, provider: 'deepinfra', cost: { microUsd: 7n } });
    expect(s.commits.map((c) => [c.model, c.usage?.promptTokens, c.usage?.completionTokens])).toEqual([[EMB, 4, 0]]);
    await expect(s.router.embed({ tenant: 'acme', model: SMALL, input: ['x'] })).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: expect.stringMatching(/^model: ".*" is a chat model/) });
    await expect(s.router.embed({ tenant: 'acme', input: ['x', ''] })).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'input[1]: must not be empty' });
  });

  it('passes on a storage_full refusal of the commit after a successful reserve and answer, instead of trying the next backend (a generic 503)', async () => {
    const asked: string[] = [];
    const embed = (backend: string) => (req: { input: string[] }) => {
      asked.push(backend);
      return { data: req.input.map(() => ({ values: [1] })), usage: { promptTokens: 2, totalTokens: 2 }, endpoint: 'deepinfra' };
    };
    const s = setup({ embed: embed('serverless') }, { embed: embed('gpu') }, () => budgetOutageRefusal('the ledger cannot write its state store (/d/sophia.db): database or disk is full', 'store-full'));
    const error = await s.router.embed({ tenant: 'acme', input: ['a'] }).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(error?.code).toBe(Code.Unavailable);
    expect(budgetOutageCause(error)).toBe('store-full');
    expect(error?.rawMessage).toContain('database or disk is full');
    expect(asked).toEqual(['serverless']);
    expect(s.reserves).toHaveLength(1);
  });
});
