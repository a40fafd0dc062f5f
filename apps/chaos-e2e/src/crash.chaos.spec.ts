// #15 item 2, first rows: kill -9 of each mesh process in turn under steady load, with Redis (the
// shared store) — what clients see, how long until the mesh serves again after the supervisor's
// restart, and afterwards, request id by request id, that every request answered 200 is one usage
// event in the warehouse, none counted twice, and the ledger's money equals the warehouse's.
import { startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { createChaosScorecard } from './chaos-scorecard.ts';
import { deployment, reportPath, SECRETS, sleep, startChaosMesh, until, type ChaosMesh } from './chaos-mesh.ts';
import { describeStatuses, startSteadyLoad, type SteadyLoad } from './steady-load.ts';
import { auditUsage, describeSettled, ledgerHoldsAcknowledged, readWarehouseEvents, warehouseCaughtUp } from './usage-audit.ts';

const PREFIX = `crash-${deployment}`;
/** The processes killed in turn: every service alone in multi-process, the one mesh process otherwise. */
const UNITS = deployment === 'single-process' ? ['mesh'] : ['classifier', 'serverless-inference', 'gpu-inference', 'sql', 'router', 'ledger', 'gateway'];

describe(`chaos: kill -9 of each process under load (${deployment}, Redis)`, () => {
  const card = createChaosScorecard('crash', deployment);
  let redis: TestRedisServer;
  let chaos: ChaosMesh;
  let load: SteadyLoad;
  const eventTimes = new Map<object, number>();

  beforeAll(async () => {
    redis = await startRedisServer();
    // A killed ledger's unacknowledged warehouse batch is taken over after 1 s instead of 30 s.
    chaos = await startChaosMesh({ env: { SOPHIA_REDIS_URL: redis.url, SOPHIA_WAREHOUSE_CLAIM_IDLE_MS: '1000' }, onEvent: (e) => eventTimes.set(e, Date.now()) });
    load = startSteadyLoad({ gatewayUrl: chaos.mesh.gatewayUrl, apiKey: SECRETS.apiKey, idPrefix: PREFIX, clients: 4 });
    await until(() => (load.calls().filter((c) => c.status === 200).length >= 20 ? true : undefined));
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await chaos?.dispose();
    await redis?.stop();
    process.stdout.write(`\n${card.render()}\n`);
    card.save(reportPath('crash'));
  }, 60_000);

  let probes = 0;
  /** A request that shows the unit serves again: a chat completion, or an SQL question for the SQL service. */
  const probe = async (unit: string): Promise<boolean> => {
    const sql = unit === 'sql';
    const res = await fetch(`${chaos.mesh.gatewayUrl}${sql ? '/v1/sql/ask' : '/v1/chat/completions'}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRETS.apiKey}`, 'content-type': 'application/json', 'x-request-id': `probe-${unit}-${probes++}` },
      body: JSON.stringify(sql ? { question: 'Show me revenue by product category for last quarter' } : { model: 'auto', max_tokens: 4, messages: [{ role: 'user', content: 'probe' }] }),
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    await res?.arrayBuffer();
    return res?.status === 200;
  };

  it.each(UNITS)('kill -9 %s: reported, restarted, served again', async (unit) => {
    const service = unit === 'mesh' ? 'gateway' : unit;
    const victim = chaos.mesh.services[service]!.pid;
    const before = load.calls().length;
    const acknowledgedBefore = load.calls().filter((c) => c.status === 200).length;
    const recordedBefore = Number((await chaos.ledger().queryUsage({ tenant: 'chaos' })).total?.requests ?? 0n);
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    const restarted = await until(() => chaos.events.find((e) => e.kind === 'restarted' && e.unit === unit && e.pid !== victim && (eventTimes.get(e) ?? 0) >= killedAt));
    const restartMs = (eventTimes.get(restarted) ?? Date.now()) - killedAt;
    await until(async () => ((await probe(unit)) ? true : undefined));
    const serveAgainMs = Date.now() - killedAt;
    // Let the load run on the restarted process before judging what clients saw.
    await sleep(1000);
    const during = load.calls().slice(before).filter((c) => c.startedAt <= killedAt + serveAgainMs);
    const recordedAfter = Number((await chaos.ledger().queryUsage({ tenant: 'chaos' })).total?.requests ?? 0n);
    const acknowledgedAfter = load.calls().filter((c) => c.status === 200).length;
    const crashed = chaos.events.find((e) => e.kind === 'crashed' && e.unit === unit && (eventTimes.get(e) ?? 0) >= killedAt);
    const row = card.add({
      scenario: `kill -9 ${unit}`,
      expected: 'crash reported with signal, restarted on its ports, served again; clients get 200 or a clear error',
      got: `restart ${restartMs} ms, serving again ${serveAgainMs} ms; clients meanwhile: ${describeStatuses(during)}; ledger ${recordedBefore}→${recordedAfter} events, acknowledged ${acknowledgedBefore}→${acknowledgedAfter}`,
      pass: crashed?.kind === 'crashed' && crashed.signal === 'SIGKILL' && during.every((c) => c.status === 200 || c.status === 0 || c.status >= 500) && chaos.gaveUp() === '',
      figures: { restartMs, serveAgainMs, recordedBefore, recordedAfter, acknowledgedBefore, acknowledgedAfter },
    });
    expect(row.pass).toBe(true);
  }, 90_000);

  it('no usage event lost or counted twice: every 200 is one warehouse event, ledger money = Σ warehouse cost', async () => {
    const calls = await load.stop();
    const sent = load.sent();
    const settled = await ledgerHoldsAcknowledged(chaos.ledger(), 'chaos', calls);
    const totals = (await chaos.ledger().queryUsage({ tenant: 'chaos' })).total;
    await warehouseCaughtUp(redis.url);
    await chaos.stop();
    const all = await readWarehouseEvents(chaos.dataDir, 'chaos');
    // The probes (ids probe-…) are billed too: the ledger's totals include them, the id audit does not.
    const events = all.filter((e) => !e.requestId.startsWith('probe-'));
    const audit = auditUsage(calls, sent, PREFIX, events);
    const warehouseRequests = all.length;
    const warehouseCost = all.reduce((sum, e) => sum + e.costMicroUsd, 0n);
    const ledgerRequests = Number(totals?.requests ?? 0n);
    const ledgerCost = totals?.cost?.microUsd ?? 0n;
    const row = card.add({
      scenario: 'usage after every crash',
      expected: 'acknowledged ⊆ events ⊆ sent, none twice; ledger requests and µ$ = warehouse',
      got: `sent ${audit.sent}, 200 ${audit.acknowledged}, warehouse ${audit.events} (${audit.servedUnacknowledged} served but unacknowledged), lost ${audit.lost.length}, unknown/double ${audit.unknown.length}; ledger ${ledgerRequests} req ${ledgerCost} µ$ vs warehouse ${warehouseRequests} req ${warehouseCost} µ$ (probes included); ${describeSettled(settled)}`,
      pass: audit.lost.length === 0 && audit.unknown.length === 0 && ledgerRequests === warehouseRequests && ledgerCost === warehouseCost,
      figures: { sent: audit.sent, acknowledged: audit.acknowledged, events: audit.events, lost: audit.lost.length, double: audit.unknown.length, ledgerRequests, ledgerCostMicroUsd: String(ledgerCost) },
    });
    if (audit.lost.length + audit.unknown.length > 0) process.stderr.write(`lost: ${audit.lost.slice(0, 20).join(', ')}; unknown: ${audit.unknown.slice(0, 20).join(', ')}\n`);
    expect(row.pass).toBe(true);
  }, 120_000);
});
