// Mesh authentication over real sockets with both client libraries: a caller without the mesh token is
// UNAUTHENTICATED, an admin RPC without the admin token is PERMISSION_DENIED, health stays open.
import { Code, ConnectError } from '@connectrpc/connect';
import { RouterService } from '@sophia/contracts/router';
import { pino } from 'pino';
import { startGrpcServer, serviceRegistration, type RunningGrpcServer } from '../grpc-server.ts';
import { createServiceClient, type ClientTransport } from '../service-client.ts';
import { checkHealth } from '../testing/grpc-probes.ts';
import { createMeshCallGuard } from './mesh-call-guard.ts';
import { setMeshCredentials } from './mesh-credentials.ts';

const TOKEN = 'mesh-token-0123456789abcdef0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef0123456789abcdef';

const codeOf = (p: Promise<unknown>): Promise<{ code: Code | 'ok'; message: string }> =>
  p.then(
    () => ({ code: 'ok' as const, message: '' }),
    (e: unknown) => ({ code: ConnectError.from(e).code, message: ConnectError.from(e).rawMessage }),
  );

describe.each<ClientTransport>(['connect', 'grpc-js'])('mesh call guard (real sockets), %s client', (transport) => {
  let server: RunningGrpcServer;
  beforeAll(async () => {
    server = await startGrpcServer({
      logger: pino({ level: 'silent' }),
      services: [serviceRegistration(RouterService, { listOverrides: () => ({ overrides: [] }), setOverride: () => ({}) })],
      guard: createMeshCallGuard({ token: TOKEN, adminToken: ADMIN }),
    });
  });
  afterAll(() => server.shutdown(100));
  afterEach(() => setMeshCredentials({}));
  const client = () => createServiceClient(RouterService, server.address, { transport });

  it('refuses a caller without the mesh token, or with a wrong one, naming the header and never the secret', async () => {
    const none = await codeOf(client().listOverrides({}));
    expect(none).toEqual({ code: Code.Unauthenticated, message: expect.stringContaining('x-sophia-mesh-token') });
    setMeshCredentials({ token: `${TOKEN}x` });
    const wrong = await codeOf(client().listOverrides({}));
    expect(wrong.code).toBe(Code.Unauthenticated);
    expect(wrong.message).not.toContain(TOKEN);
  });

  it('serves a mesh caller, but an admin RPC only with the admin token', async () => {
    setMeshCredentials({ token: TOKEN });
    expect((await codeOf(client().listOverrides({}))).code).toBe('ok');
    const denied = await codeOf(client().setOverride({}));
    expect(denied).toEqual({ code: Code.PermissionDenied, message: expect.stringContaining('admin') });
    setMeshCredentials({ token: TOKEN, adminToken: ADMIN });
    expect((await codeOf(client().setOverride({}))).code).toBe('ok');
  });

  it('leaves grpc.health.v1 open for probes that carry no token', async () => {
    expect(await checkHealth(server.address, '')).toBe('SERVING');
  });
});
