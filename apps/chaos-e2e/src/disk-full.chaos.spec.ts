// #20 "the disk filling during load": the mesh's data directory on a small filesystem of its own
// (a tmpfs), steady chat load, then the filesystem filled to the last page while the load goes on,
// then the space freed. What clients were told succeeded must all be recorded (ledger and warehouse,
// request id by request id, none twice); while the embedded store cannot write, requests are refused
// with a 503 naming the cause — never served unrecorded, never a crash; once space returns the mesh
// serves again by itself. Needs root (or CAP_SYS_ADMIN) to mount; skipped with the reason otherwise.
import { BudgetWindow } from '@sophia/contracts/ledger';
import { createChaosScorecard } from './chaos-scorecard.ts';
import { deployment, reportPath, SECRETS, startChaosMesh, until, type ChaosMesh } from './chaos-mesh.ts';
import { runDiskFullCycle } from './disk-full-cycle.ts';
import { mountSmallFilesystem, smallFilesystemUnavailable, type SmallFilesystem } from './small-filesystem.ts';
import { describeStatuses, startSteadyLoad, type LoadCall } from './steady-load.ts';
import { auditUsage, describeSettled, ledgerHoldsAcknowledged, readWarehouseEvents } from './usage-audit.ts';

/** Size of the filesystem under the data directory: room for the mesh's files, small enough to fill at once. */
const FILESYSTEM_MIB = 64;
/** Refusals to see while the disk is full before freeing it (the store may absorb a few writes in pages it already has). */
const REFUSALS_WHILE_FULL = 20;
/** How long the disk stays full at least (the "during load": seconds, not one burst). */
const FULL_MS = 5000;
/** Answers 200 to see after the space returns. */
const SERVED_AFTER = 20;

const unavailable = smallFilesystemUnavailable();
if (unavailable) process.stderr.write(`[chaos disk-full ${deployment}] SKIPPED: ${unavailable}\n`);
const itMounted = unavailable ? it.skip : it;
const note = (text: string): void => void process.stderr.write(`[chaos disk-full ${deployment}] ${new Date().toISOString()} ${text}\n`);

describe(`chaos: the disk fills under load (${deployment})`, () => {
  const card = createChaosScorecard('disk-full', deployment);
  let fs: SmallFilesystem | undefined;
  let chaos: ChaosMesh | undefined;
  afterEach(async () => {
    await chaos?.stop();
    fs?.dispose();
    chaos = undefined;
    fs = undefined;
  }, 60_000);
  afterAll(() => {
    if (card.rows().length === 0) return;
    process.stdout.write(`\n${card.render()}\n`);
    card.save(reportPath('disk-full'));
  });

  itMounted('data directory full mid-load: precise 503s while full, nothing acknowledged lost or counted twice, serving again once space returns', async () => {
    fs = mountSmallFilesystem(FILESYSTEM_MIB);
    chaos = await startChaosMesh({ dataDir: fs.dir });
    const ledger = chaos.ledger();
    await ledger.setBudget({ scope: { tenant: 'chaos' }, window: BudgetWindow.DAY, limit: { microUsd: 500_000_000n }, actor: 'chaos' });
    const prefix = `disk-full-${deployment}`;
    const load = startSteadyLoad({ gatewayUrl: chaos.mesh.gatewayUrl, apiKey: SECRETS.apiKey, idPrefix: prefix, clients: 4 });
    const ok = (calls: readonly LoadCall[]): number => calls.filter((c) => c.status === 200).length;
    await until(() => (ok(load.calls()) >= 20 ? true : undefined));
    note(`warm: ${describeStatuses(load.calls())}`);
    let logged = chaos.logs.length;
    const progress = setInterval(() => {
      const fresh = chaos!.logs.slice(logged).filter((l) => /error|full|SQLITE|ENOSPC|crash/i.test(l));
      logged = chaos!.logs.length;
      note(`load so far: ${describeStatuses(load.calls())}; last: ${load.calls().at(-1)?.error.slice(0, 200) ?? ''}\n${fresh.slice(0, 6).map((l) => l.slice(0, 600)).join('\n')}`);
    }, 10_000);

    const { fillerBytes: filler, filledAt, freedAt, recoveredAt } = await runDiskFullCycle({
      fs,
      calls: () => load.calls(),
      refusals: REFUSALS_WHILE_FULL,
      fullMs: FULL_MS,
      servedAfter: SERVED_AFTER,
      note,
    });
    const calls = await load.stop();
    clearInterval(progress);
    note(`stopped: ${describeStatuses(calls)}; mesh errors:\n${chaos.logs.filter((l) => /full|SQLITE|disk/i.test(l)).slice(0, 15).join('\n')}`);

    const whileFull = calls.filter((c) => c.startedAt >= filledAt && c.startedAt < freedAt);
    const refused = whileFull.filter((c) => c.status !== 200);
    const settled = await ledgerHoldsAcknowledged(ledger, 'chaos', calls);
    const totals = (await ledger.queryUsage({ tenant: 'chaos' })).total;
    const spent = (await ledger.budgetStatus({ tenant: 'chaos' })).budgets[0]?.spent?.microUsd;
    await chaos.stop();
    const events = await readWarehouseEvents(chaos.dataDir, 'chaos');
    const audit = auditUsage(calls, load.sent(), prefix, events);
    const crashes = chaos.events.filter((e) => e.kind === 'crashed').map((e) => e.unit);
    const messages = [...new Set(refused.map((c) => `${c.status} ${c.error}`))];
    process.stderr.write(`[chaos disk-full ${deployment}] refusal texts:\n${messages.slice(0, 8).join('\n')}\n`);
    // The gateway's answer for the store-full refusal (apps/gateway status-to-http.ts): the cause, not "no backend could serve".
    const precise = refused.every((c) => c.status === 503 && c.error.includes('"code":"storage_full"') && c.error.includes('out of disk space'));
    const row = card.add({
      scenario: `data directory full mid-load (${FILESYSTEM_MIB} MiB tmpfs filled, then freed)`,
      expected: 'while full: 503 storage_full (or 200 and recorded); nothing acknowledged lost or twice, ledger = warehouse = budget spend; no crash; serving again after space returns',
      got: `filler ${(filler / 1_048_576).toFixed(1)} MiB; while full ${describeStatuses(whileFull)}; first 200 ${recoveredAt - freedAt} ms after freeing; sent ${audit.sent}, 200 ${audit.acknowledged}, events ${audit.events}, lost ${audit.lost.length}, double ${audit.unknown.length}; ledger ${totals?.requests} req ${totals?.cost?.microUsd} µ$, warehouse ${audit.warehouseCostMicroUsd} µ$ (${describeSettled(settled)}), budget spent ${spent} µ$; crashes [${crashes.join(', ')}]; refusal ${messages[0] ?? 'none'}`,
      pass:
        refused.length >= REFUSALS_WHILE_FULL &&
        precise &&
        audit.lost.length === 0 &&
        audit.unknown.length === 0 &&
        crashes.length === 0 &&
        chaos.gaveUp() === '' &&
        totals?.cost?.microUsd === audit.warehouseCostMicroUsd &&
        spent === totals?.cost?.microUsd,
      figures: { fillerMiB: Math.round(filler / 1_048_576), whileFull: whileFull.length, refused: refused.length, servedWhileFull: ok(whileFull), recoveryMs: recoveredAt - freedAt, sent: audit.sent, acknowledged: audit.acknowledged, events: audit.events, lost: audit.lost.length, double: audit.unknown.length },
    });
    expect(row.pass).toBe(true);
  }, 240_000);
});
