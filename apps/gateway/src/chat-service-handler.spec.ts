import { Code, ConnectError, createClient, type Client, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { Role } from '@sophia/contracts/common';
import { ChatService } from '@sophia/contracts/gateway';
import type { GatewayServer } from './gateway-server.ts';
import { defaultScript, FAKE_DECISION, type FakeEvent } from './testing/fake-router.ts';
import { startTestGateway, TEST_KEY } from './testing/gateway-harness.ts';

const auth = { authorization: `Bearer ${TEST_KEY}` };
const input = { messages: [{ role: Role.USER, content: 'hi' }], params: { maxTokens: 20 } };

describe('ChatService over Connect, gRPC and gRPC-Web (one port)', () => {
  let gateway: GatewayServer;
  let fake: Awaited<ReturnType<typeof startTestGateway>>['fake'];
  beforeAll(async () => {
    ({ gateway, fake } = await startTestGateway());
  });
  afterAll(() => gateway.close(100));
  afterEach(() => fake.setScript(defaultScript));

  const transports: Array<[string, () => Transport]> = [
    ['Connect over HTTP/1.1', () => createConnectTransport({ baseUrl: gateway.url, httpVersion: '1.1' })],
    ['gRPC over HTTP/2 (h2c)', () => createGrpcTransport({ baseUrl: gateway.url })],
    ['gRPC-Web over HTTP/1.1', () => createGrpcWebTransport({ baseUrl: gateway.url, httpVersion: '1.1' })],
    ['Connect over HTTP/2 (h2c)', () => createConnectTransport({ baseUrl: gateway.url, httpVersion: '2' })],
  ];

  describe.each(transports)('%s', (_name, transport) => {
    let client: Client<typeof ChatService>;
    beforeAll(() => {
      client = createClient(ChatService, transport());
    });

    it('Complete returns content, usage and the final decision (with cost) plus decision headers', async () => {
      let headers: Headers | undefined;
      const res = await client.complete({ input: { ...input, workloadTag: 'nightly-batch' } }, { headers: { ...auth, 'x-request-id': 'grpc-req-1' }, onHeader: (h) => (headers = h) });
      expect(res).toMatchObject({ id: 'chatcmpl-grpc-req-1', content: 'Hello world', finishReason: 'stop', usage: { totalTokens: 14 } });
      expect(res.decision).toMatchObject({ model: 'llama-3.1-8b', fallback: true, cost: { microUsd: 42n } });
      expect(headers?.get('x-request-id')).toBe('grpc-req-1');
      expect(headers?.get('x-sophia-cost-usd')).toBe('0.000042');
      expect(fake.calls.inputs.at(-1)).toMatchObject({ requestId: 'grpc-req-1', tenant: 'acme', workloadTag: 'nightly-batch' });
    });

    it('passes the x-sophia-quality header to the router', async () => {
      await client.complete({ input }, { headers: { ...auth, 'x-sophia-quality': '0.7' } });
      expect(fake.calls.inputs.at(-1)?.qualityTarget).toBe('0.7');
    });

    it('CompleteStream sends the decision first, deltas, then exactly one done', async () => {
      const cases: string[] = [];
      let done: unknown;
      for await (const ev of client.completeStream({ input: { ...input, model: 'llama-3.1-70b' } }, { headers: auth })) {
        cases.push(ev.event.case ?? 'empty');
        if (ev.event.case === 'decision') expect(ev.event.value.model).toBe('llama-3.1-70b');
        if (ev.event.case === 'done') done = ev.event.value;
      }
      expect(cases).toEqual(['decision', 'delta', 'delta', 'done']);
      expect(done).toMatchObject({ finishReason: 'stop', usage: { completionTokens: 2 }, decision: { cost: { microUsd: 42n } } });
    });

    it('ListModels lists "auto" first, then the catalog', async () => {
      expect((await client.listModels({}, { headers: auth })).models).toEqual(['auto', 'llama-3.1-8b', 'llama-3.1-70b']);
    });

    it('refuses a missing or wrong key with UNAUTHENTICATED', async () => {
      await expect(client.complete({ input })).rejects.toMatchObject({ code: Code.Unauthenticated });
      await expect(client.listModels({}, { headers: { authorization: 'Bearer wrong' } })).rejects.toMatchObject({ code: Code.Unauthenticated });
    });

    it('answers bad input with INVALID_ARGUMENT naming the field', async () => {
      await expect(client.complete({}, { headers: auth })).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'input: is required' });
      await expect(client.complete({ input: { messages: [] } }, { headers: auth })).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: expect.stringMatching(/^input\.messages: /) });
      await expect(client.complete({ input: { messages: [{ content: 'x' }] } }, { headers: auth })).rejects.toMatchObject({ rawMessage: expect.stringMatching(/^input\.messages\[0\]\.role: must be one of ROLE_SYSTEM/) });
      await expect(client.complete({ input: { ...input, params: { maxTokens: 0 } } }, { headers: auth })).rejects.toMatchObject({ rawMessage: 'input.params.max_tokens: must be at least 1' });
      await expect(client.complete({ input: { ...input, params: { temperature: 3 } } }, { headers: auth })).rejects.toMatchObject({ rawMessage: 'input.params.temperature: must be between 0 and 2' });
      const stream = async (): Promise<void> => {
        for await (const _ of client.completeStream({ input: { ...input, params: { stop: ['a', 'b', 'c', 'd', 'e'] } } }, { headers: auth })) void _;
      };
      await expect(stream()).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'input.params.stop: must hold at most 4 sequences' });
    });

    it('passes router errors through with their code and retry-after-ms', async () => {
      await expect(client.complete({ input: { ...input, model: 'nope' } }, { headers: auth })).rejects.toMatchObject({ code: Code.NotFound, rawMessage: 'model "nope" is not in the catalog' });
      fake.setScript(async function* () {
        throw new ConnectError('tenant over quota', Code.ResourceExhausted, { 'retry-after-ms': '1200' });
      });
      const err = await client.complete({ input }, { headers: auth }).then(() => undefined, (e: unknown) => ConnectError.from(e));
      expect(err?.code).toBe(Code.ResourceExhausted);
      expect(err?.metadata.get('retry-after-ms')).toBe('1200');
    });

    it('fails a stream that broke after it started (no fake done)', async () => {
      fake.setScript(async function* () {
        yield { event: { case: 'decision', value: FAKE_DECISION } } satisfies FakeEvent;
        throw new ConnectError('backend cut the stream', Code.Unavailable);
      });
      const seen: string[] = [];
      const run = async (): Promise<void> => {
        for await (const ev of client.completeStream({ input }, { headers: auth })) seen.push(ev.event.case ?? 'empty');
      };
      await expect(run()).rejects.toMatchObject({ code: Code.Unavailable, rawMessage: 'backend cut the stream' });
      expect(seen).toEqual(['decision']);
    });
  });

  it('cancels the router call when a gRPC client cancels its stream', async () => {
    fake.setScript(async function* (_input, ctx) {
      yield { event: { case: 'decision', value: FAKE_DECISION } } satisfies FakeEvent;
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    });
    const client = createClient(ChatService, createGrpcTransport({ baseUrl: gateway.url }));
    const controller = new AbortController();
    const stream = client.completeStream({ input }, { headers: auth, signal: controller.signal });
    const it = stream[Symbol.asyncIterator]();
    expect((await it.next()).value?.event.case).toBe('decision');
    const aborted = fake.calls.aborts.at(-1)!;
    controller.abort();
    await expect(it.next()).rejects.toMatchObject({ code: Code.Canceled });
    await expect(aborted).resolves.toBeDefined();
  });

  it('refuses a message over SOPHIA_GATEWAY_MAX_BODY_BYTES with RESOURCE_EXHAUSTED before calling the router', async () => {
    const small = await startTestGateway({ maxBodyBytes: 4096 });
    try {
      const client = createClient(ChatService, createGrpcTransport({ baseUrl: small.gateway.url }));
      const big = { messages: [{ role: Role.USER, content: 'x'.repeat(8192) }] };
      await expect(client.complete({ input: big }, { headers: auth })).rejects.toMatchObject({ code: Code.ResourceExhausted });
      expect(small.fake.calls.inputs).toHaveLength(0);
      expect((await client.complete({ input }, { headers: auth })).content).toBe('Hello world');
    } finally {
      await small.gateway.close(100);
    }
  });
});
