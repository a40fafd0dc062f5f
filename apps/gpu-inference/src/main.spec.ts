import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Code, ConnectError } from '@connectrpc/connect';
import { Backend, Role } from '@sophia/contracts/common';
import { InferenceService } from '@sophia/contracts/inference';
import { createServiceClient } from '@sophia/platform';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: the simulator is the mesh's stand-in upstream
import { createUpstreamSimulator, type UpstreamSimulator } from '@sophia/upstream-sim';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const messages = [{ role: Role.USER, content: 'hi' }];

// The real process tier: main.ts under Node with a real gRPC server, over two simulated vLLMs.
describe('gpu-inference process', () => {
  let sims: UpstreamSimulator[];
  let child: ChildProcess;
  let address: string;

  beforeAll(async () => {
    sims = [
      await createUpstreamSimulator({ persona: 'vllm', models: [MODEL], defaultOutputTokens: 6 }),
      await createUpstreamSimulator({ persona: 'vllm', models: [MODEL], defaultOutputTokens: 6 }),
    ];
    child = spawn(process.execPath, ['src/main.ts'], {
      cwd: `${__dirname}/..`,
      env: {
        PATH: process.env['PATH'],
        SOPHIA_GPU_INFERENCE_PORT: '0',
        SOPHIA_GPU_BASE_URLS: sims.map((s) => s.url).join(','),
        SOPHIA_GPU_HEALTH_INTERVAL_MS: '60000',
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
    await Promise.all(sims.map((s) => s.close()));
  });

  it('probes the pool before serving, then serves Generate, ListModels and GetCapacity over gRPC', async () => {
    const client = createServiceClient(InferenceService, address);
    const capacity = await client.getCapacity({});
    expect(capacity).toMatchObject({ backend: Backend.GPU, healthyEndpoints: 2 });
    expect(capacity.endpoints.map((e) => e.endpoint)).toEqual(sims.map((s) => s.url));
    expect((await client.listModels({})).models.map((m) => [m.id, m.endpoints])).toEqual([[MODEL, sims.map((s) => s.url)]]);
    let done: unknown;
    for await (const res of client.generate({ model: MODEL, messages })) if (res.event.case === 'done') done = res.event.value;
    expect(done).toMatchObject({ usage: { completionTokens: 6 }, upstreamModel: MODEL });
    let caught: unknown;
    try {
      for await (const _ of client.generate({ model: 'not/served', messages })) void _;
    } catch (err) {
      caught = err;
    }
    expect(ConnectError.from(caught).code).toBe(Code.Unavailable);
    expect(ConnectError.from(caught).rawMessage).toContain('no healthy GPU endpoint for model not/served (2 endpoints:');
  });

  it('stops its health loop and exits 0 on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
