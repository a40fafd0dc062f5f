import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { BudgetWindow, Dimension, LedgerService } from '@sophia/contracts/ledger';
import type { Mesh } from '@sophia/dev';
import { createServiceClient } from '@sophia/platform';
import type { Client } from '@connectrpc/connect';
import type { Page } from 'playwright-core';
import { launchChromium, type TestBrowser } from '@sophia/web-build';
import { eventually } from './eventually.ts';
import { openSignedIn, seriousViolations, shot } from './web-page.ts';
import { KEYS, recordMeasurements, startWebMesh, upstreamStats } from './web-mesh.ts';

let mesh: Mesh;
let browser: TestBrowser;
let ledger: Client<typeof LedgerService>;
const drawMs: Record<string, number> = {};

/** The seeded load: requests through the gateway's REST API, spread over workloads and models. */
const LOAD = [
  { workload: 'support', model: 'auto', content: 'Where is my order? [[sim:tokens=20]]' },
  { workload: 'support', model: 'auto', content: 'Reset my password please. [[sim:tokens=25]]' },
  { workload: 'support', model: 'auto', content: 'Cancel the subscription. [[sim:tokens=15]]' },
  { workload: 'analytics', model: 'auto', content: 'Prove that the sum of two even numbers is even, step by step. [[sim:tokens=40]]' },
  { workload: 'analytics', model: 'auto', content: 'Write a SQL query for monthly revenue by region. [[sim:tokens=30]]' },
  { workload: 'coding', model: 'auto', content: 'Write a TypeScript function that merges two sorted arrays. [[sim:tokens=50]]' },
  { workload: 'coding', model: 'auto', content: 'Explain a race condition in one paragraph. [[sim:tokens=35]]' },
];

beforeAll(async () => {
  [mesh, browser] = await Promise.all([startWebMesh(), launchChromium()]);
  ledger = createServiceClient(LedgerService, String(mesh.services['ledger']!.ready['grpc']));
  for (const r of LOAD) {
    const res = await fetch(`${mesh.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.ops}`, 'content-type': 'application/json', 'x-sophia-workload': r.workload },
      body: JSON.stringify({ model: r.model, messages: [{ role: 'user', content: r.content }] }),
    });
    if (res.status !== 200) throw new Error(`seed request failed: ${res.status} ${await res.text()}`);
  }
  await eventually(() => ledger.getUsageReport({ tenant: 'acme' }), (r) => r.total?.requests === BigInt(LOAD.length), 'ledger to record the seeded load');
  // A monthly budget two thirds used, so the finance dashboard has an alert to show.
  const spent = (await ledger.budgetStatus({ tenant: 'acme' })).budgets[0]?.spent?.microUsd ?? (await ledger.getUsageReport({ tenant: 'acme' })).monthToDate?.microUsd ?? 0n;
  await ledger.setBudget({ scope: { tenant: 'acme' }, window: BudgetWindow.MONTH, limit: { microUsd: (spent * 3n) / 2n }, actor: 'web-e2e', reason: 'dashboard test' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await mesh?.stop();
  recordMeasurements('dashboards', { drawMsAfterData: drawMs });
});

/** Opens a dashboard signed in with the ops key and waits until it has drawn its data. */
async function openDashboard(name: string, search = ''): Promise<Page> {
  const page = await openSignedIn(browser.context, mesh.gatewayUrl, `/dashboards/${name}${search}`, KEYS.ops);
  await page.locator(`[data-dashboard="${name}"][aria-busy="false"]`).waitFor();
  const measure = await eventually(
    () => page.evaluate(() => performance.getEntriesByName('dashboard-draw').map((e) => e.duration)),
    (d) => d.length > 0,
    'the dashboard-draw measure',
  );
  drawMs[name] = Math.round(measure[0]! * 10) / 10;
  return page;
}

/** The raw value behind a figure (`data-value`). */
async function figure(page: Page, id: string): Promise<string> {
  return (await page.locator(`[data-figure="${id}"]`).getAttribute('data-value')) ?? '';
}

/** The period the dashboard reported on, as the ledger takes it. */
async function periodOf(page: Page, name: string) {
  const area = page.locator(`[data-dashboard="${name}"]`);
  return { start: timestampFromMs(Number(await area.getAttribute('data-start-ms'))), end: timestampFromMs(Number(await area.getAttribute('data-end-ms'))) };
}

const DAY_S = 86_400;

/** The x range uPlot drew the dashboard's chart with, in seconds (`data-x-min`, `data-x-max`). */
async function chartRange(page: Page): Promise<{ xMin: number; xMax: number }> {
  const holder = page.locator('figure.chart-figure .chart');
  return { xMin: Number(await holder.getAttribute('data-x-min')), xMax: Number(await holder.getAttribute('data-x-max')) };
}

/**
 * Asserts the chart's time axis lies within the dashboard's period (widened by `slackS` either side
 * of the period's first and last UTC day, where per-day points sit) and returns it.
 */
async function expectChartWithin(page: Page, name: string, slackS: number): Promise<{ xMin: number; xMax: number }> {
  const area = page.locator(`[data-dashboard="${name}"]`);
  const startS = Number(await area.getAttribute('data-start-ms')) / 1000;
  const endS = Number(await area.getAttribute('data-end-ms')) / 1000;
  const range = await chartRange(page);
  expect(Number.isFinite(range.xMin) && Number.isFinite(range.xMax)).toBe(true);
  expect(range.xMin).toBeGreaterThanOrEqual(Math.floor(startS / DAY_S) * DAY_S - slackS);
  expect(range.xMax).toBeLessThanOrEqual(Math.floor(endS / DAY_S) * DAY_S + slackS);
  expect(range.xMax).toBeGreaterThan(range.xMin);
  return range;
}

/**
 * Every figure, note and table cell a person reads that is not in human units: NaN, Infinity, "-0",
 * exponent notation, or a percentage of a million or more.
 */
function absurdFigures(page: Page): Promise<string[]> {
  return page.locator('[data-figure], .figure-note, td, dd').evaluateAll((nodes) =>
    nodes.map((n) => n.textContent ?? '').filter((t) => /NaN|Infinity|(^|[^\w.])-0(?![.,\d])|-\$0\.00|\de[-+]?\d|\d{1,3}(,\d{3}){2,}(\.\d+)?\s?%/.test(t)),
  );
}

describe('dashboards after a seeded load', () => {
  it("executive: spend, requests and savings equal the ledger's reports for the same period", async () => {
    const page = await openDashboard('executive');
    const period = await periodOf(page, 'executive');
    const [usage, savings] = await Promise.all([ledger.getUsageReport({ ...period, tenant: 'acme' }), ledger.getSavingsReport({ ...period, tenant: 'acme' })]);
    expect(usage.total?.requests).toBe(BigInt(LOAD.length));
    expect(await figure(page, 'spend')).toBe(String(usage.total?.cost?.microUsd));
    expect(await figure(page, 'requests')).toBe(String(usage.total?.requests));
    expect(await figure(page, 'savings-gpu')).toBe(String(savings.savingsVsGpuBaseline?.microUsd ?? 0n));
    expect(await figure(page, 'savings-largest')).toBe(String(savings.savingsVsLargestTier?.microUsd ?? 0n));
    expect(await page.locator('[data-figure="spend"]').textContent()).toMatch(/^\$\d/);
    expect(await page.locator('figure.chart-figure canvas').count()).toBe(1);
    // The seeded load costs micro-dollars: ROI over it is "n/a", never a billion per cent.
    expect(usage.total!.cost!.microUsd).toBeLessThan(10_000n);
    expect(await page.locator('[data-figure="roi"]').textContent()).toBe('n/a (spend ≈ $0)');
    expect(await page.locator('[data-figure="savings-gpu"] + .figure-note').textContent()).toMatch(/^(> )?\d+(\.\d)?% of the \$[\d,.]+ baseline for the period$/);
    // One day of data in a 24-hour period: the time axis spans that period's days, not years.
    await expectChartWithin(page, 'executive', DAY_S / 2);
    expect(await absurdFigures(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'dashboard-executive');
    await page.close();
  });

  it('executive over 30 days: the chart spans the 30 days, with the one day of data inside', async () => {
    const page = await openDashboard('executive', '?range=30d');
    const { xMin, xMax } = await expectChartWithin(page, 'executive', DAY_S / 2);
    expect(xMax - xMin).toBeGreaterThanOrEqual(30 * DAY_S);
    const today = Math.floor(Date.now() / 1000 / DAY_S) * DAY_S;
    expect(today).toBeGreaterThan(xMin);
    expect(today).toBeLessThan(xMax);
    expect(await absurdFigures(page)).toEqual([]);
    await page.close();
  });

  it("developer: per-model and per-workload rows equal the ledger's; a prompt is explained without calling a model", async () => {
    const page = await openDashboard('developer');
    const period = await periodOf(page, 'developer');
    const byWorkload = await ledger.getUsageReport({ ...period, tenant: 'acme', groupBy: [Dimension.WORKLOAD_TAG] });
    const shown = await page.locator('[data-table="workloads"] tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.dataset['value'] ?? td.textContent)));
    const expected = byWorkload.rows.map((r) => [r.keys[0], String(r.requests), String(r.promptTokens), String(r.completionTokens), String(r.latencyP50Ms), String(r.latencyP95Ms), String(r.costPerRequest?.microUsd ?? 0n)]);
    expect(shown).toEqual(expected);
    const byModel = await ledger.getUsageReport({ ...period, tenant: 'acme', groupBy: [Dimension.MODEL] });
    expect(await page.locator('[data-table="models"] tbody tr').count()).toBe(byModel.rows.length);

    const before = await upstreamStats(mesh);
    await page.fill('#explain-prompt', 'Prove that there are infinitely many primes.');
    await page.click('#explain-run');
    await page.locator('[data-explained]:not([data-explained=""])').waitFor();
    expect(await page.locator('.explain-result dd').first().textContent()).toMatch(/^(simple|balanced|complex)$/);
    expect((await upstreamStats(mesh)).requests).toBe(before.requests);
    expect(await absurdFigures(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'dashboard-developer');
    await page.close();
  });

  it("finance: month to date, cost per request and the budget's utilisation equal the ledger's; the CSV is the ledger's report", async () => {
    const page = await openDashboard('finance', '?range=mtd');
    const period = await periodOf(page, 'finance');
    const [usage, budgets] = await Promise.all([ledger.getUsageReport({ ...period, tenant: 'acme' }), ledger.budgetStatus({ tenant: 'acme' })]);
    expect(await figure(page, 'month-to-date')).toBe(String(usage.monthToDate?.microUsd ?? 0n));
    expect(await figure(page, 'cost-per-request')).toBe(String(usage.total?.costPerRequest?.microUsd ?? 0n));
    expect(await figure(page, 'period-spend')).toBe(String(usage.total?.cost?.microUsd ?? 0n));
    const month = budgets.budgets.find((b) => b.window === BudgetWindow.MONTH && b.limit);
    expect(month).toBeDefined();
    const row = page.locator('[data-table="budgets"] tbody tr').filter({ hasText: 'month' }).first();
    const cells = await row.locator('td').evaluateAll((tds) => tds.map((td) => td.dataset['value'] ?? td.textContent));
    expect(cells.slice(3, 7)).toEqual([String(month!.limit!.microUsd), String(month!.spent?.microUsd ?? 0n), String(month!.reserved?.microUsd ?? 0n), String(month!.utilisation)]);
    expect(cells[7]).toBe('past 50 %');
    expect(await absurdFigures(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = await (await download.createReadStream()).toArray();
    const lines = Buffer.concat(csv as Buffer[]).toString('utf8').trim().split('\r\n');
    const full = await ledger.getUsageReport({ ...period, tenant: 'acme', groupBy: [Dimension.DAY, Dimension.TENANT, Dimension.MODEL] });
    expect(lines[0]).toBe('day,tenant,model,requests,prompt_tokens,completion_tokens,cost_usd,cost_per_request_usd,latency_p50_ms,latency_p95_ms');
    expect(lines.length).toBe(full.rows.length + 1);
    const requests = lines.slice(1).reduce((n, l) => n + Number(l.split(',')[3]), 0);
    expect(requests).toBe(LOAD.length);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'dashboard-finance');
    await page.close();
  });

  it("operations: the live stream's request count over the window equals the ledger's for the same load; breakers and the GPU pool show", async () => {
    const page = await openDashboard('operations');
    await page.selectOption('#window', '900000');
    await eventually(() => figure(page, 'requests'), (v) => v === String(LOAD.length), 'requests over the last 15 minutes');
    const ledgerCount = (await ledger.getUsageReport({ tenant: 'acme', start: timestampFromMs(Date.now() - 900_000) })).total?.requests;
    expect(await figure(page, 'requests')).toBe(String(ledgerCount));
    expect(Number(await figure(page, 'p50'))).toBeGreaterThan(0);
    expect(await figure(page, 'in-flight')).toBe('0');
    expect(await page.locator('[data-table="breakers"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-table="gpu"] tbody tr').count()).toBe(mesh.upstreams.gpu.length);
    // The latency chart covers the stream's series (60 intervals of 5 s) ending at the snapshot.
    const chart = await chartRange(page);
    expect(chart.xMax - chart.xMin).toBe(300);
    expect(Math.abs(chart.xMax - Date.now() / 1000)).toBeLessThan(60);
    expect(await absurdFigures(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'dashboard-operations');
    await page.close();
  });

  it('makes no request loop while a dashboard sits idle', async () => {
    const page = await openDashboard('executive');
    const calls: string[] = [];
    page.on('request', (r) => calls.push(r.url()));
    await page.waitForTimeout(3000);
    expect(calls).toEqual([]);
    await page.close();
  });

  it('closes the live stream while the tab is hidden and reopens it when shown', async () => {
    const page = await openDashboard('operations');
    const opened: string[] = [];
    const closed: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('WatchLive')) opened.push(r.url());
    });
    page.on('requestfailed', (r) => {
      if (r.url().includes('WatchLive')) closed.push(r.url());
    });
    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await eventually(async () => closed.length, (n) => n === 1, 'the stream to close when hidden');
    await page.waitForTimeout(2000);
    expect(opened).toEqual([]);
    await setHidden(false);
    await eventually(async () => opened.length, (n) => n === 1, 'the stream to reopen when shown');
    await page.close();
  });

  it('operations: a breaker the router opened shows in its recorded transitions (router → SQLite → GetBreakers → WatchLive)', async () => {
    // The serverless simulator fails the next requests, so the router opens that target's breaker
    // (the answers still arrive, from the GPU pool).
    const fault = await fetch(`${mesh.upstreams.serverless}/sim/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fault: 'status:code=503,count=12' }) });
    expect(fault.status).toBe(200);
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${mesh.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.beta}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: `Say hi ${i}. [[sim:tokens=5]]` }] }),
      });
      expect(res.status).toBe(200);
    }
    await fetch(`${mesh.upstreams.serverless}/sim/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fault: 'none' }) });
    const page = await openDashboard('operations');
    const opened = page.locator('[data-table="transitions"] tbody tr').filter({ hasText: /^.*serverless:.*closed.*open/ });
    await eventually(() => opened.count(), (n) => n > 0, 'a closed → open transition of a serverless target');
    const when = Number(await opened.first().locator('td').first().getAttribute('data-value'));
    expect(Math.abs(when - Date.now())).toBeLessThan(120_000);
    expect(await absurdFigures(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'dashboard-operations-breakers');
    await page.close();
  });

  it('a chat-only key sees no dashboard, and the gateway refuses its calls', async () => {
    const res = await fetch(`${mesh.gatewayUrl}/sophia.gateway.v1.DashboardService/GetUsageReport`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.chat}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/ops:read/);
  });
});
