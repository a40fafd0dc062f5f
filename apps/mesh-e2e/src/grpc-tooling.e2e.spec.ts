import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { credentials, Client as GrpcClient, Metadata, status } from '@grpc/grpc-js';
import { findRepoRoot, type Mesh } from '@sophia/dev';
import { startTestMesh } from './mesh-fixture.ts';

// grpcurl — a client nobody here wrote — against every gRPC port of the mesh, with no .proto files:
// `list` shows exactly what the port serves (plus health and reflection), `describe` resolves every
// listed service, health `Check` answers SERVING, and an unknown method is UNIMPLEMENTED.

const run = promisify(execFile);
const TOOLING = ['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];
/** What each service's port serves besides the tooling: the contract, nothing its protos merely import. */
const SERVES: Readonly<Record<string, readonly string[]>> = {
  classifier: ['sophia.classifier.v1.ClassifierService'],
  router: ['sophia.router.v1.RouterService'],
  ledger: ['sophia.ledger.v1.LedgerService'],
  'serverless-inference': ['sophia.inference.v1.InferenceService'],
  'gpu-inference': ['sophia.inference.v1.FleetService', 'sophia.inference.v1.InferenceService'],
  sql: ['sophia.sql.v1.SqlService'],
  gateway: ['sophia.gateway.v1.ChatService', 'sophia.gateway.v1.DashboardService', 'sophia.ops.v1.OperatorService', 'sophia.sql.v1.SqlService'],
};

let mesh: Mesh;
let grpcurl: string;

beforeAll(async () => {
  grpcurl = execFileSync('sh', [join(findRepoRoot(), 'tools/grpc/ensure-grpcurl.sh')], { encoding: 'utf8', timeout: 300_000 }).trim();
  mesh = await startTestMesh();
}, 400_000);

afterAll(async () => {
  await mesh?.stop();
});

/** host:port of a service's gRPC surface (the gateway's is its HTTP port: gRPC over h2c). */
function addressOf(name: string): string {
  const ready = mesh.services[name]!.ready;
  return typeof ready['grpc'] === 'string' ? ready['grpc'] : new URL(String(ready['http'])).host;
}

async function grpcurlRun(...args: string[]): Promise<string> {
  const { stdout } = await run(grpcurl, ['-plaintext', '-max-time', '20', ...args], { timeout: 30_000 });
  return stdout;
}

/** A raw gRPC unary call to a path no service defines. */
function callUnknown(address: string): Promise<number> {
  const client = new GrpcClient(address, credentials.createInsecure());
  return new Promise<number>((resolve) => {
    client.makeUnaryRequest(
      '/sophia.nothing.v1.NoService/NoMethod',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.alloc(0),
      new Metadata(),
      { deadline: Date.now() + 10_000 },
      (err) => resolve(err?.code ?? status.OK),
    );
  }).finally(() => client.close());
}

describe.each(Object.keys(SERVES))('grpcurl against the %s port', (name) => {
  it('lists exactly what the port serves, plus health and reflection', async () => {
    const listed = (await grpcurlRun(addressOf(name), 'list')).trim().split('\n').sort();
    expect(listed).toEqual([...SERVES[name]!, ...TOOLING].sort());
  });

  it('describes every listed service from reflection alone', async () => {
    for (const service of [...SERVES[name]!, 'grpc.health.v1.Health']) {
      const out = await grpcurlRun(addressOf(name), 'describe', service);
      expect(out).toContain(`${service} is a service:`);
      expect(out).toMatch(/rpc \w+ \(/);
    }
  });

  it('answers health Check for the server and for each of its services', async () => {
    for (const service of ['', ...SERVES[name]!]) {
      const out = await grpcurlRun('-d', JSON.stringify({ service }), addressOf(name), 'grpc.health.v1.Health/Check');
      expect(JSON.parse(out)).toEqual({ status: 'SERVING' });
    }
    await expect(grpcurlRun('-d', '{"service":"sophia.nothing.v1.NoService"}', addressOf(name), 'grpc.health.v1.Health/Check')).rejects.toMatchObject({
      stderr: expect.stringContaining('NotFound'),
    });
  });

  it('answers an unknown method with UNIMPLEMENTED', async () => {
    expect(await callUnknown(addressOf(name))).toBe(status.UNIMPLEMENTED);
  });
});
