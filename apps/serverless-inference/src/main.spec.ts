import { loadCatalog } from '@sophia/price-catalog';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Code, ConnectError } from '@connectrpc/connect';
import { Role } from '@sophia/contracts/common';
import { InferenceService } from '@sophia/contracts/inference';
import { FAILURE_KIND_HEADER, isBackendFailure } from '@sophia/openai-upstream';
import { createServiceClient } from '@sophia/platform';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: the simulator is the mesh's stand-in upstream
import { createUpstreamSimulator, type UpstreamSimulator } from '@sophia/upstream-sim';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
// The process maps catalog ids to the provider's names from the bundled catalog.
const PROVIDER_MODEL = loadCatalog().findModel(MODEL)!.serverless!.providerModel;

// The real process tier: main.ts under Node with a real gRPC server, against the simulator.
describe('serverless-inference process', () => {
  let sim: UpstreamSimulator;
  let child: ChildProcess;
  let address: string;

  beforeAll(async () => {
    sim = await createUpstreamSimulator({ persona: 'serverless', apiKey: 'sk-proc', defaultOutputTokens: 8 });
    child = spawn(process.execPath, ['src/main.ts'], {
      cwd: `${__dirname}/..`,
      env: {
        PATH: process.env['PATH'],
        SOPHIA_SERVERLESS_INFERENCE_PORT: '0',
        SOPHIA_SERVERLESS_BASE_URL: `${sim.url}/v1`,
        SOPHIA_SERVERLESS_API_KEY: 'sk-proc',
        SOPHIA_SERVERLESS_MODELS: MODEL,
        SOPHIA_LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const [line] = (await once(lines, 'line')) as [string];
    lines.close();
    address = (JSON.parse(line) as { grpc: string }).grpc;
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await sim.close();
  });

  it('serves Generate over gRPC and carries the failure kind in trailers', async () => {
    const client = createServiceClient(InferenceService, address);
    let text = '';
    let done: unknown;
    for await (const res of client.generate({ model: MODEL, messages: [{ role: Role.USER, content: 'hi' }] })) {
      if (res.event.case === 'delta') text += res.event.value.text;
      else done = res.event.value;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(done).toMatchObject({ usage: { completionTokens: 8 }, upstreamModel: PROVIDER_MODEL });
    expect(PROVIDER_MODEL).not.toBe(MODEL);
    expect((await client.listModels({})).models.map((m) => m.id)).toEqual([MODEL]);

    sim.setFault({ kind: 'status', code: 503 });
    let caught: unknown;
    try {
      for await (const _ of client.generate({ model: MODEL, messages: [{ role: Role.USER, content: 'hi' }] })) void _;
    } catch (err) {
      caught = err;
    }
    sim.setFault(undefined);
    const err = ConnectError.from(caught);
    expect([err.code, err.metadata.get(FAILURE_KIND_HEADER), isBackendFailure(err)]).toEqual([Code.Unavailable, 'http-5xx', true]);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
