// #20 "the disk filling during load", with SOPHIA_REDIS_URL: the disk under Redis itself fills (a real
// redis-server with an append-only file (fsync every second, Redis' default; with `always` Redis exits on a write error instead) on a small tmpfs), so Redis answers every write
// MISCONF. New requests must be refused precisely (503 storage_full, as for the embedded store) under
// the default outage policy too; the usage of requests already served is spooled by the ledger and
// replayed once Redis can write again — never lost, never twice (ledger = warehouse = budget spend,
// request id by request id). Needs root (or CAP_SYS_ADMIN) to mount; skipped with the reason otherwise.
import { BudgetWindow } from '@sophia/contracts/ledger';
import { redisServerAvailable, startRedisServer, type TestRedisServer } from '@sophia/platform/testing';
import { createChaosScorecard } from './chaos-scorecard.ts';
import { deployment, reportPath, SECRETS, startChaosMesh, until, type ChaosMesh } from './chaos-mesh.ts';
import { runDiskFullCycle } from './disk-full-cycle.ts';
import { mountSmallFilesystem, smallFilesystemUnavailable, type SmallFilesystem } from './small-filesystem.ts';
import { describeStatuses, startSteadyLoad, type LoadCall } from './steady-load.ts';
import { auditUsage, booksBalance, describeBooks, describeSettled, ledgerHoldsAcknowledged, readWarehouseEvents, warehouseCaughtUp } from './usage-audit.ts';

/** Room for Redis' append-only file during the warm-up, small enough to fill at once. */
const FILESYSTEM_MIB = 32;
const REFUSALS_WHILE_FULL = 20;
const FULL_MS = 5000;
const SERVED_AFTER = 20;

const unavailable = smallFilesystemUnavailable() ?? (redisServerAvailable() ? undefined : 'redis-server not found on PATH');
if (unavailable) process.stderr.write(`[chaos disk-full-redis ${deployment}] SKIPPED: ${unavailable}\n`);
const itMounted = unavailable ? it.skip : it;
const note = (text: string): void => void process.stderr.write(`[chaos disk-full-redis ${deployment}] ${new Date().toISOString()} ${text}\n`);

describe(`chaos: the disk under Redis fills under load (${deployment})`, () => {
  const card = createChaosScorecard('disk-full-redis', deployment);
  let fs: SmallFilesystem | undefined;
  let redis: TestRedisServer | undefined;
  let chaos: ChaosMesh | undefined;
  afterEach(async () => {
    await chaos?.dispose();
    await redis?.stop();
    fs?.dispose();
    chaos = undefined;
    redis = undefined;
    fs = undefined;
  }, 60_000);
  afterAll(() => {
    if (card.rows().length === 0) return;
    process.stdout.write(`\n${card.render()}\n`);
    card.save(reportPath('disk-full-redis'));
  });

  itMounted('Redis cannot persist (MISCONF) mid-load: 503 storage_full while full, nothing acknowledged lost or counted twice, serving again once it can write', async () => {
    fs = mountSmallFilesystem(FILESYSTEM_MIB);
    redis = await startRedisServer({ args: ['--dir', fs.dir, '--appendonly', 'yes', '--appendfsync', 'everysec'] });
    chaos = await startChaosMesh({ env: { SOPHIA_REDIS_URL: redis.url, SOPHIA_WAREHOUSE_CLAIM_IDLE_MS: '1000' } });
    const ledger = chaos.ledger();
    await ledger.setBudget({ scope: { tenant: 'chaos' }, window: BudgetWindow.DAY, limit: { microUsd: 500_000_000n }, actor: 'chaos' });
    const prefix = `disk-full-redis-${deployment}`;
    const load = startSteadyLoad({ gatewayUrl: chaos.mesh.gatewayUrl, apiKey: SECRETS.apiKey, idPrefix: prefix, clients: 4 });
    const ok = (calls: readonly LoadCall[]): number => calls.filter((c) => c.status === 200).length;
    await until(() => (ok(load.calls()) >= 20 ? true : undefined));
    note(`warm: ${describeStatuses(load.calls())}`);

    const { fillerBytes: filler, filledAt, freedAt, recoveredAt } = await runDiskFullCycle({
      fs,
      calls: () => load.calls(),
      refusals: REFUSALS_WHILE_FULL,
      fullMs: FULL_MS,
      servedAfter: SERVED_AFTER,
      note,
    });
    const calls = await load.stop();
    note(`stopped: ${describeStatuses(calls)}; mesh lines:\n${chaos.logs.filter((l) => /MISCONF|persist|full/i.test(l)).slice(0, 10).join('\n')}`);

    // The spool replays once Redis writes again (every second), then the sink drains Redis' log into
    // the warehouse. Bounded: a record that never arrives fails the books below instead of hanging.
    const settled = await ledgerHoldsAcknowledged(ledger, 'chaos', calls);
    await warehouseCaughtUp(redis.url);
    const whileFull = calls.filter((c) => c.startedAt >= filledAt && c.startedAt < freedAt);
    const refused = whileFull.filter((c) => c.status !== 200);
    const totals = (await ledger.queryUsage({ tenant: 'chaos' })).total;
    const spent = (await ledger.budgetStatus({ tenant: 'chaos' })).budgets[0]?.spent?.microUsd;
    await chaos.stop();
    const events = await readWarehouseEvents(chaos.dataDir, 'chaos');
    const audit = auditUsage(calls, load.sent(), prefix, events);
    const crashes = chaos.events.filter((e) => e.kind === 'crashed').map((e) => e.unit);
    const messages = [...new Set(refused.map((c) => `${c.status} ${c.error}`))];
    process.stderr.write(`[chaos disk-full-redis ${deployment}] refusal texts:\n${messages.slice(0, 8).join('\n')}\n`);
    const precise = refused.every((c) => c.status === 503 && c.error.includes('"code":"storage_full"'));
    const row = card.add({
      scenario: `Redis' disk full mid-load (${FILESYSTEM_MIB} MiB tmpfs under Redis' AOF (everysec) filled, then freed; SOPHIA_REDIS_OUTAGE=serve)`,
      expected: 'while full: 503 storage_full (or 200 and recorded via the spool); nothing acknowledged lost or twice, ledger = warehouse = budget spend; no crash; serving again once Redis can write',
      got: `filler ${(filler / 1_048_576).toFixed(1)} MiB; while full ${describeStatuses(whileFull)}; first 200 ${recoveredAt - freedAt} ms after freeing; ${describeBooks(audit, totals)} (${describeSettled(settled)}); budget spent ${spent} µ$; crashes [${crashes.join(', ')}]; refusal ${messages[0] ?? 'none'}`,
      pass:
        refused.length >= REFUSALS_WHILE_FULL &&
        precise &&
        booksBalance(audit, totals) &&
        crashes.length === 0 &&
        chaos.gaveUp() === '' &&
        spent === totals?.cost?.microUsd,
      figures: { fillerMiB: Math.round(filler / 1_048_576), whileFull: whileFull.length, refused: refused.length, servedWhileFull: ok(whileFull), recoveryMs: recoveredAt - freedAt, sent: audit.sent, acknowledged: audit.acknowledged, events: audit.events, lost: audit.lost.length, double: audit.unknown.length },
    });
    expect(row.pass).toBe(true);
  }, 240_000);
});
