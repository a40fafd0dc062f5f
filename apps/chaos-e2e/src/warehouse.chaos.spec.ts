// #15 item 2: the warehouse unavailable under load. The warehouse is written by its own sink process
// (SOPHIA_WAREHOUSE_SINK=none on the ledger, apps/ledger/src/warehouse-sink-main.ts beside it, as a
// deployment runs it). The row kills that sink mid-batch and holds the DuckDB file's write lock for
// 10 s (as a maintenance job would), so no writer can reach the warehouse; a sink started meanwhile
// must fail naming the file; in multi-process the ledger is also killed -9 during the outage, so the
// buffer must be durable, not in a process's memory. Then the lock is released and the sink started:
// request id by request id, every 200 is one warehouse event, none twice, ledger = warehouse.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { createChaosScorecard } from './chaos-scorecard.ts';
import { deployment, reportPath, SECRETS, sleep, startChaosMesh, until, type ChaosMesh } from './chaos-mesh.ts';
import { describeStatuses, startSteadyLoad } from './steady-load.ts';
import { auditUsage, booksBalance, describeBooks, describeSettled, ledgerHoldsAcknowledged, ledgerLogBacklog, readWarehouseEvents, warehouseCaughtUp } from './usage-audit.ts';
import { startWarehouseWriter, type WarehouseWriter } from './warehouse-writer.ts';

/** How long the warehouse stays unavailable (SOPHIA_CHAOS_WAREHOUSE_OUTAGE_MS to change it). */
const OUTAGE_MS = Number(process.env['SOPHIA_CHAOS_WAREHOUSE_OUTAGE_MS'] ?? 10_000);

describe(`chaos: the warehouse unavailable under load (${deployment}, Redis)`, () => {
  const card = createChaosScorecard('warehouse', deployment);
  let redis: TestRedisServer | undefined;
  let chaos: ChaosMesh | undefined;
  let writer: WarehouseWriter | undefined;
  let lock: DuckDBInstance | undefined;
  afterAll(async () => {
    lock?.closeSync();
    await writer?.stop('SIGKILL');
    await chaos?.dispose();
    await redis?.stop();
    process.stdout.write(`\n${card.render()}\n`);
    card.save(reportPath('warehouse'));
  }, 60_000);

  it(`warehouse away ${OUTAGE_MS / 1000} s mid-load: served meanwhile, usage buffered durably, written once when it returns`, async () => {
    redis = await startRedisServer();
    chaos = await startChaosMesh({ env: { SOPHIA_REDIS_URL: redis.url, SOPHIA_WAREHOUSE_SINK: 'none', SOPHIA_WAREHOUSE_CLAIM_IDLE_MS: '1000' } });
    const warehousePath = join(chaos.dataDir, 'warehouse.duckdb');
    const writerEnv = { SOPHIA_REDIS_URL: redis.url, SOPHIA_DATA_DIR: chaos.dataDir, SOPHIA_WAREHOUSE_PATH: warehousePath, SOPHIA_WAREHOUSE_CLAIM_IDLE_MS: '1000' };
    const first = await startWarehouseWriter(writerEnv);
    if (!first.ok) throw new Error(`warehouse sink did not start: ${first.output}`);
    writer = first.writer;
    const prefix = `warehouse-${deployment}`;
    const load = startSteadyLoad({ gatewayUrl: chaos.mesh.gatewayUrl, apiKey: SECRETS.apiKey, idPrefix: prefix, clients: 4 });
    await until(() => (load.calls().filter((c) => c.status === 200).length >= 20 ? true : undefined));

    // The warehouse goes away: its writer dies mid-batch, and the file is locked by another process.
    const down = Date.now();
    await writer.stop('SIGKILL');
    writer = undefined;
    lock = await DuckDBInstance.create(warehousePath);
    const con = await lock.connect();
    const written = async (): Promise<number> => Number((await con.runAndReadAll("SELECT count(*) AS n FROM usage_events WHERE tenant = 'chaos'")).getRowObjectsJson()[0]?.['n'] ?? 0);
    const writtenAtStart = await written();
    const backlogAtStart = await ledgerLogBacklog(redis.url);
    const refused = await startWarehouseWriter(writerEnv);
    if (refused.ok) await refused.writer.stop('SIGKILL');
    let ledgerKilled = false;
    if (deployment === 'multi-process') {
      const ledgerPid = chaos.mesh.services['ledger']!.pid;
      process.kill(ledgerPid, 'SIGKILL');
      await until(() => chaos!.events.find((e) => e.kind === 'restarted' && e.unit === 'ledger' && e.pid !== ledgerPid));
      ledgerKilled = true;
    }
    await sleep(Math.max(0, down + OUTAGE_MS - Date.now()));
    // The load stops with the outage, so the drain below is of what was buffered, not of new traffic.
    const calls = await load.stop();
    const up = Date.now();
    const writtenAtEnd = await written();
    const backlogAtEnd = await ledgerLogBacklog(redis.url);
    con.closeSync();
    lock.closeSync();
    lock = undefined;

    // It returns: the sink starts and drains what was buffered.
    const returned = Date.now();
    const again = await startWarehouseWriter(writerEnv);
    if (!again.ok) throw new Error(`warehouse sink did not start after the outage: ${again.output}`);
    writer = again.writer;
    await warehouseCaughtUp(redis.url);
    const caughtUpMs = Date.now() - returned;
    const settled = await ledgerHoldsAcknowledged(chaos.ledger(), 'chaos', calls);
    const totals = (await chaos.ledger().queryUsage({ tenant: 'chaos' })).total;
    // Stopped gracefully (the router hands the ledger anything its outbox still held), then drained again.
    await chaos.stop();
    await warehouseCaughtUp(redis.url);
    await writer.stop();
    writer = undefined;
    const events = await readWarehouseEvents(chaos.dataDir, 'chaos');
    const audit = auditUsage(calls, load.sent(), prefix, events);
    const during = calls.filter((c) => c.startedAt >= down && c.startedAt < up);
    const row = card.add({
      scenario: `warehouse unavailable ${OUTAGE_MS / 1000} s (sink killed, file locked${ledgerKilled ? ', ledger kill -9 meanwhile' : ''})`,
      expected: 'chat served meanwhile (load stopped when it returns); nothing written while away, usage buffered in the durable log; a sink started meanwhile fails naming the file; afterwards every 200 one event, none twice, ledger = warehouse',
      got: `meanwhile ${describeStatuses(during)}; warehouse ${writtenAtStart}→${writtenAtEnd} events while away, buffer ${backlogAtStart}→${backlogAtEnd}; sink started meanwhile: ${refused.ok ? 'STARTED' : `exit ${refused.exitCode} "${/SOPHIA_WAREHOUSE_PATH: cannot open DuckDB file \/[^\n]{0,200}/.exec(refused.output)?.[0] ?? refused.output.slice(-200)}"`}; buffer drained ${caughtUpMs} ms after it returned; ${describeBooks(audit, totals)} (${describeSettled(settled)})`,
      pass:
        during.length > 0 &&
        during.every((c) => c.status === 200 || (ledgerKilled && c.status >= 500)) &&
        during.some((c) => c.status === 200) &&
        writtenAtEnd === writtenAtStart &&
        backlogAtEnd > backlogAtStart &&
        !refused.ok &&
        /SOPHIA_WAREHOUSE_PATH: cannot open DuckDB file \//.test(refused.output) &&
        refused.output.includes(warehousePath) &&
        booksBalance(audit, totals),
      figures: { outageMs: OUTAGE_MS, bufferedAtEnd: backlogAtEnd, servedMeanwhile: during.filter((c) => c.status === 200).length, caughtUpMs, sent: audit.sent, acknowledged: audit.acknowledged, events: audit.events, lost: audit.lost.length, double: audit.unknown.length },
    });
    expect(row.pass).toBe(true);
  }, 180_000);
});
