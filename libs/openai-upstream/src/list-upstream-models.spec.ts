import { Code, ConnectError } from '@connectrpc/connect';
import { listUpstreamModels } from './list-upstream-models.ts';
import { createFakeOpenAiServer, type FakeOpenAiServer } from './testing/fake-openai-server.ts';
import { closeUpstreamDispatchers } from './upstream-dispatcher.ts';

describe('listUpstreamModels', () => {
  let fake: FakeOpenAiServer;
  beforeEach(async () => {
    fake = await createFakeOpenAiServer();
  });
  afterEach(() => fake.close());
  afterAll(() => closeUpstreamDispatchers());

  it('returns the ids of /v1/models, sending the key', async () => {
    fake.route('GET /v1/models', (_req, res) => res.end(JSON.stringify({ object: 'list', data: [{ id: 'a' }, { id: 'b' }] })));
    await expect(listUpstreamModels({ baseUrl: fake.url, apiKey: 'k' })).resolves.toEqual(['a', 'b']);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer k');
  });

  it('rejects a reply that is not a model list', async () => {
    fake.route('GET /v1/models', (_req, res) => res.end(JSON.stringify({ data: [{ name: 'a' }] })));
    await expect(listUpstreamModels({ baseUrl: fake.url })).rejects.toThrow('data[0].id is not a string');
  });

  it('maps HTTP errors and timeouts like the streaming path', async () => {
    fake.route('GET /v1/models', (_req, res) => res.writeHead(503).end());
    await expect(listUpstreamModels({ baseUrl: fake.url })).rejects.toMatchObject({ code: Code.Unavailable });
    fake.route('GET /v1/models', () => undefined);
    const err = await listUpstreamModels({ baseUrl: fake.url, timeoutMs: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.DeadlineExceeded);
  });
});
