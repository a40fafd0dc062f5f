// #15 item 3 on the running mesh (real processes): internal services refuse callers that are not the
// mesh, admin RPCs need their own scope, every port binds 127.0.0.1 in local mode, API keys rotate
// without a restart, and no key or provider secret appears in any log line, /metrics page or error.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, ConnectError } from '@connectrpc/connect';
import { Backend } from '@sophia/contracts/common';
import { OverrideKind, OverrideScope } from '@sophia/contracts/router';
import { setMeshCredentials } from '@sophia/platform';
import { checkHealth } from '@sophia/platform/testing';
import { createChaosScorecard } from './chaos-scorecard.ts';
import { deployment, reportPath, SECRETS, startChaosMesh, until, type ChaosMesh } from './chaos-mesh.ts';
import { listeningSockets } from './listening-sockets.ts';
import { findSecrets } from './secret-scan.ts';

const OLD_KEY = `sk-rotate-old-${randomBytes(12).toString('hex')}`;
const NEW_KEY = `sk-rotate-new-${randomBytes(12).toString('hex')}`;

describe(`chaos: security of the inside (${deployment})`, () => {
  const card = createChaosScorecard('inside', deployment);
  let chaos: ChaosMesh;
  let keysDir: string;
  const answers: string[] = [];

  beforeAll(async () => {
    keysDir = mkdtempSync(join(tmpdir(), 'chaos-keys-'));
    writeFileSync(join(keysDir, 'api-keys'), `# rotating keys\n${OLD_KEY}:rotating\n`);
    // debug: the most a log can say, so the secret scan covers every line the mesh can write.
    chaos = await startChaosMesh({ logLevel: 'debug', env: { SOPHIA_API_KEYS_FILE: join(keysDir, 'api-keys') } });
  }, 120_000);
  afterAll(async () => {
    setMeshCredentials({ token: SECRETS.meshToken, adminToken: SECRETS.adminToken });
    await chaos?.dispose();
    rmSync(keysDir, { recursive: true, force: true });
    process.stdout.write(`\n${card.render()}\n`);
    card.save(reportPath('inside'));
  }, 60_000);

  const chat = async (key: string): Promise<number> => {
    const res = await fetch(`${chaos.mesh.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] }),
    });
    answers.push(await res.text());
    return res.status;
  };
  const codeOf = (p: Promise<unknown>): Promise<Code | 'ok'> => p.then(() => 'ok' as const, (e: unknown) => ConnectError.from(e).code);

  it('internal services refuse callers without the mesh token; health stays open for probes', async () => {
    const grpcServices = Object.values(chaos.mesh.services).filter((s) => typeof s.ready['grpc'] === 'string' && s.name !== 'mcp');
    setMeshCredentials({});
    const without = await codeOf(chaos.router().listOverrides({}));
    const ledgerWithout = await codeOf(chaos.ledger().queryUsage({ tenant: 'chaos' }));
    setMeshCredentials({ token: `${SECRETS.meshToken}x` });
    const wrong = await codeOf(chaos.router().listOverrides({}));
    setMeshCredentials({ token: SECRETS.meshToken, adminToken: SECRETS.adminToken });
    const withToken = await codeOf(chaos.router().listOverrides({}));
    const health = await Promise.all(grpcServices.map((s) => checkHealth(String(s.ready['grpc']))));
    const row = card.add({
      scenario: 'caller without the mesh token',
      expected: 'UNAUTHENTICATED (router, ledger), wrong token too; with it OK; grpc.health.v1 SERVING without it',
      got: `router ${Code[without as Code] ?? without}, ledger ${Code[ledgerWithout as Code] ?? ledgerWithout}, wrong token ${Code[wrong as Code] ?? wrong}, with token ${withToken}; health ${health.join(',')}`,
      pass: without === Code.Unauthenticated && ledgerWithout === Code.Unauthenticated && wrong === Code.Unauthenticated && withToken === 'ok' && health.every((h) => h === 'SERVING'),
    });
    expect(row.pass).toBe(true);
  });

  it('admin RPCs check a scope of their own (SOPHIA_MESH_ADMIN_TOKEN), not only the network', async () => {
    const override = { kind: OverrideKind.BACKEND, scope: OverrideScope.TENANT, scopeValue: 'x', backend: Backend.GPU, remaining: 1, createdBy: 'chaos', reason: 'scope check' };
    setMeshCredentials({ token: SECRETS.meshToken });
    const meshOnly = await codeOf(chaos.router().setOverride({ override }));
    const budgetMeshOnly = await codeOf(chaos.ledger().setBudget({ scope: { tenant: 'x' }, limit: { microUsd: 1n }, actor: 'chaos' }));
    setMeshCredentials({ token: SECRETS.meshToken, adminToken: SECRETS.adminToken });
    const admin = await codeOf(chaos.router().setOverride({ override }));
    const row = card.add({
      scenario: 'admin RPC without the admin scope',
      expected: 'SetOverride / SetBudget with the mesh token only: PERMISSION_DENIED; with the admin token: OK',
      got: `SetOverride ${Code[meshOnly as Code] ?? meshOnly}, SetBudget ${Code[budgetMeshOnly as Code] ?? budgetMeshOnly}, with admin token ${admin}`,
      pass: meshOnly === Code.PermissionDenied && budgetMeshOnly === Code.PermissionDenied && admin === 'ok',
    });
    expect(row.pass).toBe(true);
  });

  it('local mode: every port of every mesh process binds 127.0.0.1', () => {
    const sockets = chaos.mesh.processes().flatMap((p) => listeningSockets(p.pid));
    const exposed = sockets.filter((s) => s.address !== '127.0.0.1');
    const row = card.add({
      scenario: 'ports bind 127.0.0.1',
      expected: 'every listening socket of the mesh and its simulators on 127.0.0.1',
      got: `${sockets.length} listening sockets in ${chaos.mesh.processes().length} processes, ${exposed.length} elsewhere${exposed.length ? `: ${exposed.map((s) => `${s.address}:${s.port}`).join(', ')}` : ''}`,
      pass: sockets.length > 0 && exposed.length === 0,
    });
    expect(row.pass).toBe(true);
  });

  it('API keys rotate without a restart: both keys valid during the overlap, the old one refused after', async () => {
    const gatewayPid = chaos.mesh.services['gateway']!.pid;
    const file = join(keysDir, 'api-keys');
    const before = [await chat(OLD_KEY), await chat(NEW_KEY)];
    // The way Kubernetes updates a mounted Secret (and editors save): a new file renamed over the old.
    writeFileSync(`${file}.next`, `${OLD_KEY}:rotating\n${NEW_KEY}:rotating\n`);
    renameSync(`${file}.next`, file);
    await until(async () => ((await chat(NEW_KEY)) === 200 ? true : undefined));
    const overlap = [await chat(OLD_KEY), await chat(NEW_KEY)];
    writeFileSync(`${file}.next`, `${NEW_KEY}:rotating\n`);
    renameSync(`${file}.next`, file);
    await until(async () => ((await chat(OLD_KEY)) === 401 ? true : undefined));
    const after = [await chat(OLD_KEY), await chat(NEW_KEY), await chat(SECRETS.apiKey)];
    const row = card.add({
      scenario: 'API key rotation',
      expected: 'old 200 / new 401 → both 200 → old 401 / new 200; SOPHIA_API_KEYS unaffected; same gateway process',
      got: `before ${before.join('/')}, overlap ${overlap.join('/')}, after ${after.join('/')}; gateway pid ${chaos.mesh.services['gateway']!.pid === gatewayPid ? 'unchanged' : 'CHANGED'}`,
      pass: before.join() === '200,401' && overlap.join() === '200,200' && after.join() === '401,200,200' && chaos.mesh.services['gateway']!.pid === gatewayPid,
    });
    expect(row.pass).toBe(true);
  });

  it('no key, token or provider secret in any log line, /metrics page or error answer', async () => {
    // Errors that name credentials in their cause: a wrong key, a key in the wrong header, the ops API with a chat key.
    await chat(`${SECRETS.apiKey}-wrong`);
    const opsWithChatKey = await fetch(`${chaos.mesh.gatewayUrl}/v1/ops/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRETS.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'set a budget of $5 per day for tenant chaos' }),
    });
    answers.push(await opsWithChatKey.text());
    const metricsUrls = Object.values(chaos.mesh.services).flatMap((s) => (typeof s.ready['metrics'] === 'string' ? [s.ready['metrics']] : []));
    const metrics = await Promise.all(metricsUrls.map(async (u) => (await fetch(u)).text()));
    const texts = [...chaos.logs, ...metrics, ...answers];
    const leaks = findSecrets(texts, { ...SECRETS, rotatingOld: OLD_KEY, rotatingNew: NEW_KEY });
    const row = card.add({
      scenario: 'secrets in logs, metrics, errors',
      expected: 'none of the API keys, mesh/admin tokens or the provider key anywhere (debug logs)',
      got: leaks.length === 0 ? `${chaos.logs.length} log lines, ${metrics.length} /metrics pages, ${answers.length} answers: clean` : leaks.map((l) => `${l.secret} in "${l.where}"`).join('; '),
      pass: leaks.length === 0 && chaos.logs.length > 0,
    });
    expect(row.pass).toBe(true);
  });
});
