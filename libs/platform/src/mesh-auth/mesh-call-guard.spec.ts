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

// docs/operations.md, "Rotating the mesh tokens": three rolling restarts. While one rolls, each process
// runs either the step's old or new settings, so every caller setting must be accepted by every server
// setting of the same step — over real sockets, with both clients.
describe.each<ClientTransport>(['connect', 'grpc-js'])('mesh token rotation by rolling restarts, %s client', (transport) => {
  const OLD = TOKEN;
  const NEW = 'mesh-token-new-fedcba9876543210fedcba9876543210';
  const OLD_ADMIN = ADMIN;
  const NEW_ADMIN = 'admin-token-new-fedcba9876543210fedcba98765432';
  type Settings = { token: string; adminToken: string; acceptedTokens?: string[]; acceptedAdminTokens?: string[] };
  const before: Settings = { token: OLD, adminToken: OLD_ADMIN };
  const documented: Settings[] = [
    before,
    { token: OLD, adminToken: OLD_ADMIN, acceptedTokens: [NEW], acceptedAdminTokens: [NEW_ADMIN] }, // 1. accept the new ones
    { token: NEW, adminToken: NEW_ADMIN, acceptedTokens: [OLD], acceptedAdminTokens: [OLD_ADMIN] }, // 2. send the new ones
    { token: NEW, adminToken: NEW_ADMIN }, // 3. drop the old ones
  ];
  const servers: RunningGrpcServer[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.shutdown(100))));
  afterEach(() => setMeshCredentials({}));

  /** Codes of an ordinary and an admin call from a process with `caller` settings to one with `server` settings. */
  const call = async (caller: Settings, server: Settings): Promise<Array<Code | 'ok'>> => {
    const running = await startGrpcServer({
      logger: pino({ level: 'silent' }),
      services: [serviceRegistration(RouterService, { listOverrides: () => ({ overrides: [] }), setOverride: () => ({}) })],
      guard: createMeshCallGuard(server),
    });
    servers.push(running);
    setMeshCredentials({ token: caller.token, adminToken: caller.adminToken });
    const client = createServiceClient(RouterService, running.address, { transport });
    return [(await codeOf(client.listOverrides({}))).code, (await codeOf(client.setOverride({}))).code];
  };
  /** Every (caller, server) pairing of two settings that coexist while a rolling restart runs. */
  const duringRoll = async (from: Settings, to: Settings): Promise<Array<Code | 'ok'>> =>
    (await Promise.all([from, to].flatMap((caller) => [from, to].map((server) => call(caller, server))))).flat();

  it.each([1, 2, 3])('step %i never refuses a call, whichever processes have restarted', async (step) => {
    const codes = await duringRoll(documented[step - 1]!, documented[step]!);
    expect(codes).toEqual(codes.map(() => 'ok'));
  });

  it('a plain swap of the token (one rolling restart) refuses calls between restarted and old processes', async () => {
    const codes = await duringRoll(before, { token: NEW, adminToken: NEW_ADMIN });
    expect(codes).toContain(Code.Unauthenticated);
  });

  it('keeps the two secrets apart: an accepted mesh token is not an admin token, nor an unknown token a mesh one', async () => {
    const server = documented[1]!;
    expect(await call({ token: NEW, adminToken: OLD_ADMIN }, server)).toEqual(['ok', 'ok']);
    expect(await call({ token: OLD, adminToken: NEW }, server)).toEqual(['ok', Code.PermissionDenied]);
    expect(await call({ token: `${NEW}x`, adminToken: OLD_ADMIN }, server)).toEqual([Code.Unauthenticated, Code.Unauthenticated]);
  });
});
