import { existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Backend } from '@sophia/contracts/common';
import { Dimension, LedgerService } from '@sophia/contracts/ledger';
import { evalDataDir, MissingEvalDataError } from '@sophia/eval-data';
import { findRepoRoot, startMesh } from '@sophia/dev';
import { createServiceClient } from '@sophia/platform';

/**
 * `node tools/bench/src/savings-run.ts [--data DIR] [--requests N]`: a load run of real
 * Arena-Hard prompts through the gateway (two workload tags), then the ledger's own reports —
 * usage by tier/backend/model, savings against the GPU baseline and the counterfactuals, and the
 * serverless-vs-GPU break-even — printed and saved to reports/savings.json.
 */
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    requests: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '10' },
    /** Simulated serverless providers (catalog names), e.g. fireworks or deepinfra,fireworks,together; unset = one anonymous simulator. */
    providers: { type: 'string' },
  },
});
const providers = values.providers?.split(',').map((p) => p.trim()).filter((p) => p !== '') ?? [];
const root = findRepoRoot();
// --data is taken as given (absolute, or relative to the working directory); the default is
// eval-data/ (`npm run data`), else the evaluation data folder beside the checkout.
const dataDir = evalDataDir(root, values.data);
const promptFile = join(dataDir, 'arena-hard/question.jsonl');
if (!existsSync(promptFile)) {
  process.stderr.write(`savings-run: ${new MissingEvalDataError(promptFile).message}\n`);
  process.exit(2);
}
const prompts = readFileSync(promptFile, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => (JSON.parse(l) as { prompt: string }).prompt);
const total = Number(values.requests);

const mesh = await startMesh({
  env: { PATH: process.env['PATH'], HOME: process.env['HOME'], SOPHIA_LOG_LEVEL: 'error', SOPHIA_API_KEYS: 'savings-key:acme' },
  gatewayPort: 0,
  serverlessProviders: providers,
});
const usd = (m: bigint | undefined): string => `$${(Number(m ?? 0n) / 1e6).toFixed(6)}`;
try {
  const started = new Date();
  const pool = new Pool(mesh.gatewayUrl, { connections: Number(values.concurrency) });
  let next = 0;
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: Number(values.concurrency) }, async () => {
      while (next < total) {
        const i = next++;
        const res = await pool.request({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', authorization: 'Bearer savings-key', 'x-sophia-workload': i % 3 === 0 ? 'analytics' : 'support-bot' },
          body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: prompts[i % prompts.length] }], max_tokens: 256 }),
        });
        await res.body.text();
        if (res.statusCode === 200) ok++;
        else failed++;
      }
    }),
  );
  await pool.close();
  const ledger = createServiceClient(LedgerService, String(mesh.services['ledger']!.ready['grpc']));
  // The run's own period, so the GPU baseline is prorated over the minutes the load ran.
  const period = { start: timestampFromDate(started), end: timestampFromDate(new Date()) };
  const usage = await ledger.getUsageReport({ ...period, groupBy: [Dimension.TIER, Dimension.BACKEND, Dimension.MODEL] });
  const savings = await ledger.getSavingsReport(period);
  const breakEven = await ledger.getBreakEven({ days: 1 });
  const seconds = (Date.now() - started.getTime()) / 1000;
  const lines: string[] = [
    `load run: ${ok} ok, ${failed} failed of ${total} Arena-Hard prompts through the gateway in ${seconds.toFixed(1)} s; serverless providers: ${providers.join(', ') || 'one (reference prices)'}`,
    '',
    'usage by tier × backend × model:',
  ];
  for (const r of usage.rows) lines.push(`  ${r.keys.join(' | ').padEnd(70)} requests ${String(r.requests).padStart(4)}  cost ${usd(r.cost?.microUsd)}`);
  lines.push(
    '',
    `savings (${savings.requests} requests, ${savings.promptTokens} prompt + ${savings.completionTokens} completion tokens):`,
    `  actual cost                      ${usd(savings.actual?.microUsd)}`,
    `  GPU baseline (prorated)          ${usd(savings.gpuBaseline?.microUsd)}   saved ${usd(savings.savingsVsGpuBaseline?.microUsd)}`,
    `  everything on the largest tier   ${usd(savings.allLargestTier?.microUsd)}   saved ${usd(savings.savingsVsLargestTier?.microUsd)}`,
    `  everything serverless            ${usd(savings.allServerless?.microUsd)}   saved ${usd(savings.savingsVsAllServerless?.microUsd)}`,
    `  everything on GPU                ${usd(savings.allGpu?.microUsd)}   saved ${usd(savings.savingsVsAllGpu?.microUsd)}`,
    `  one provider (${savings.singleProviderName || 'none recorded'})${' '.repeat(Math.max(1, 18 - (savings.singleProviderName || 'none recorded').length))}${usd(savings.singleProvider?.microUsd)}   saved ${usd(savings.savingsVsSingleProvider?.microUsd)}`,
    ...savings.notes.map((n) => `  note: ${n}`),
    '',
    'break-even (last day):',
  );
  for (const r of breakEven.rows) {
    lines.push(
      `  ${(r.workloadTag || '-').padEnd(12)} ${r.model.padEnd(40)} serverless ${usd(r.serverlessCost?.microUsd)}  gpu ${usd(r.gpuCost?.microUsd)} (${r.gpuInstances}× ${r.gpuInstanceType}, util ${(r.gpuUtilisation * 100).toFixed(2)} %)  cheaper: ${r.cheaper === Backend.GPU ? 'gpu' : 'serverless'}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const out = join(root, 'reports/savings.json');
  mkdirSync(join(root, 'reports'), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify({ ok, failed, usage, savings, breakEven }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2),
  );
  process.stdout.write(`saved ${out}\n`);
} finally {
  await mesh.stop();
}
