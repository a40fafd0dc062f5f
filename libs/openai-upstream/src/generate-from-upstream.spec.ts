import { Code, ConnectError, createClient, createRouterTransport, type Client } from '@connectrpc/connect';
import { Role } from '@sophia/contracts/common';
import { InferenceService } from '@sophia/contracts/inference';
import { generateFromUpstream, type GenerateOutcome } from './generate-from-upstream.ts';
import { silentUpstreamLogger } from './upstream-logger.ts';
import { closeUpstreamDispatchers } from './upstream-dispatcher.ts';
import { createFakeOpenAiServer, sseFrame, writeCompletion, type FakeOpenAiServer } from './testing/fake-openai-server.ts';

const CHAT = 'POST /v1/chat/completions';
const request = { model: 'm1', messages: [{ role: Role.USER, content: 'Count to three.' }], requestId: 'req-1' };

describe('generateFromUpstream (the Generate body both backends share)', () => {
  let fake: FakeOpenAiServer;
  let outcomes: GenerateOutcome[];
  let client: Client<typeof InferenceService>;

  beforeEach(async () => {
    fake = await createFakeOpenAiServer();
    outcomes = [];
    client = createClient(
      InferenceService,
      createRouterTransport(({ service }) =>
        service(InferenceService, {
          generate: (req, context) =>
            generateFromUpstream({
              request: req,
              context,
              upstreamModel: 'upstream/m1',
              baseUrl: `${fake.url}/v1`,
              endpoint: 'fake',
              logger: silentUpstreamLogger,
              settle: (outcome) => outcomes.push(outcome),
            }),
        }),
      ),
    );
  });
  afterEach(() => fake.close());
  afterAll(() => closeUpstreamDispatchers());

  it('relays deltas and done, sends the upstream model and request id, and settles ok once', async () => {
    fake.route(CHAT, (_req, res) => writeCompletion(res, { texts: ['one ', 'two ', 'three'], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } }));
    let text = '';
    let endpoint = '';
    for await (const res of client.generate(request)) {
      if (res.event.case === 'delta') text += res.event.value.text;
      if (res.event.case === 'done') endpoint = res.event.value.endpoint;
    }
    expect({ text, endpoint }).toEqual({ text: 'one two three', endpoint: 'fake' });
    expect(JSON.parse(fake.requests[0]!.body)).toMatchObject({ model: 'upstream/m1', stream: true });
    expect(fake.requests[0]!.headers['x-request-id']).toBe('req-1');
    expect(outcomes).toEqual([{ kind: 'ok' }]);
  });

  it('settles a 5xx as a backend failure and a 400 as not the backend’s fault', async () => {
    fake.route(CHAT, (_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}'));
    await expect(async () => {
      for await (const _ of client.generate(request)) void _;
    }).rejects.toMatchObject({ code: Code.Unavailable });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ kind: 'backend_failure', message: expect.stringContaining('503') });

    outcomes.length = 0;
    fake.route(CHAT, (_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad max_tokens"}}'));
    await expect(async () => {
      for await (const _ of client.generate(request)) void _;
    }).rejects.toBeInstanceOf(ConnectError);
    expect(outcomes).toEqual([{ kind: 'not_backend' }]);
  });

  it('settles once, as not the backend’s fault, when the caller goes away mid-stream, and aborts the upstream', async () => {
    fake.route(CHAT, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'first' }, finish_reason: null }] }));
      // …and never finishes.
    });
    const abort = new AbortController();
    await expect(async () => {
      for await (const res of client.generate(request, { signal: abort.signal })) {
        if (res.event.case === 'delta') abort.abort();
      }
    }).rejects.toMatchObject({ code: Code.Canceled });
    await fake.requests[0]!.closed;
    await new Promise((resolve) => setImmediate(resolve));
    expect(outcomes).toEqual([{ kind: 'not_backend' }]);
  });
});
