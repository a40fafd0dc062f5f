// The fleet CLI (`npm run -s fleet -- <command>`):
//   simulate --trace FILE.jsonl   replay a demand trace through the real controller and policy on a
//                                 virtual clock; prints one JSON object (the contract in simulation-result.ts)
//   optimum  --trace FILE.jsonl   the hindsight optimum of the same trace (JSON)
//   report   --trace FILE.jsonl   simulation, baselines and optimum side by side (table)
//   generate-trace --out FILE     a two-week trace with the seed's profile (--seed, --days, --utilisation,
//                                 --outage-start-minute, --outage-minutes, --mix simple=S,balanced=B,complex=C
//                                 (request shares) to vary it)
// Shared options: --policy FILE (default fleet-policy/default.yaml), --catalog FILE, --boot-minutes N
// (default 5), --deadline-seconds N (default 60), --baseline-usd-per-month N (default 6444).
// Bad usage exits 2 with a message naming the option; nothing is printed on stdout then.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadCatalog, type CatalogTier } from '@sophia/price-catalog';
import { loadFleetPolicy } from './fleet/load-fleet-policy.ts';
import { parseDemandTrace } from './fleet/sim/demand-trace.ts';
import { DEFAULT_TIERS, generateTrace, withShares } from './fleet/sim/generate-trace.ts';
import { hindsightOptimum } from './fleet/sim/hindsight-optimum.ts';
import { replayTrace } from './fleet/sim/replay-trace.ts';
import { roundResult } from './fleet/sim/simulation-result.ts';

const USAGE = 'usage: fleet <simulate|optimum|report> --trace FILE.jsonl [--policy FILE] [--catalog FILE] [--boot-minutes N] [--deadline-seconds N] [--baseline-usd-per-month N] [--audit]\n       fleet generate-trace --out FILE.jsonl [--seed N] [--days N] [--utilisation X] [--outage-start-minute N] [--outage-minutes N] [--mix simple=S,balanced=B,complex=C]';

class UsageError extends Error {}

function numberOption(values: Record<string, unknown>, name: string, fallback: number, check: (n: number) => boolean = (n) => n >= 0): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be a non-negative number, got "${String(raw)}"`);
  return n;
}

/** `simple=0.6,balanced=0.3,complex=0.1`: every tier named once, shares ≥ 0 summing to more than 0 (normalised). */
function parseMix(raw: string): Record<CatalogTier, number> {
  const shares: Partial<Record<CatalogTier, number>> = {};
  for (const part of raw.split(',')) {
    const [tier, value, extra] = part.split('=');
    const share = Number(value);
    if (tier !== 'simple' && tier !== 'balanced' && tier !== 'complex') throw new UsageError(`--mix names tiers simple, balanced and complex, got "${tier ?? ''}"`);
    if (extra !== undefined || value === undefined || value.trim() === '' || !Number.isFinite(share) || share < 0) throw new UsageError(`--mix ${tier} must be a non-negative number, got "${part}"`);
    if (shares[tier] !== undefined) throw new UsageError(`--mix names ${tier} twice`);
    shares[tier] = share;
  }
  const { simple, balanced, complex } = shares;
  if (simple === undefined || balanced === undefined || complex === undefined) throw new UsageError('--mix must name simple, balanced and complex');
  if (simple + balanced + complex <= 0) throw new UsageError('--mix shares must not all be 0');
  return { simple, balanced, complex };
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      trace: { type: 'string' },
      policy: { type: 'string' },
      catalog: { type: 'string' },
      'boot-minutes': { type: 'string' },
      'deadline-seconds': { type: 'string' },
      'baseline-usd-per-month': { type: 'string' },
      audit: { type: 'boolean' },
      out: { type: 'string' },
      seed: { type: 'string' },
      days: { type: 'string' },
      utilisation: { type: 'string' },
      'outage-start-minute': { type: 'string' },
      'outage-minutes': { type: 'string' },
      mix: { type: 'string' },
    },
    strict: true,
  });
  const catalog = loadCatalog(values.catalog);
  if (command === 'generate-trace') {
    if (values.out === undefined) throw new UsageError('generate-trace needs --out FILE.jsonl');
    const lines = generateTrace(catalog, {
      seed: numberOption(values, 'seed', 1, Number.isInteger),
      days: numberOption(values, 'days', 14, (n) => Number.isInteger(n) && n > 0),
      utilisation: numberOption(values, 'utilisation', 0.175, (n) => n > 0 && n <= 1),
      outageStartMinute: numberOption(values, 'outage-start-minute', 2 * 1440 + 14 * 60, Number.isInteger),
      outageMinutes: numberOption(values, 'outage-minutes', 120, Number.isInteger),
      ...(values.mix === undefined ? {} : { tiers: withShares(DEFAULT_TIERS, parseMix(values.mix)) }),
    });
    writeFileSync(values.out, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    return;
  }
  if (command !== 'simulate' && command !== 'optimum' && command !== 'report') throw new UsageError(`unknown command "${command ?? ''}"`);
  if (values.trace === undefined) throw new UsageError(`${command} needs --trace FILE.jsonl`);
  const trace = parseDemandTrace(readFileSync(values.trace, 'utf8'), values.trace);
  const bootMinutes = numberOption(values, 'boot-minutes', 5);
  const options = {
    catalog,
    policy: loadFleetPolicy(values.policy),
    bootMinutes,
    deadlineSeconds: numberOption(values, 'deadline-seconds', 60),
    baselineUsdPerMonth: numberOption(values, 'baseline-usd-per-month', 6444),
    ...(values.audit ? { onAction: (line: string) => process.stderr.write(`${line}\n`) } : {}),
  };
  if (command === 'optimum') {
    process.stdout.write(`${JSON.stringify(hindsightOptimum(trace, catalog, bootMinutes))}\n`);
    return;
  }
  const result = roundResult(await replayTrace(trace, options));
  if (command === 'simulate') {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const optimum = hindsightOptimum(trace, catalog, bootMinutes);
  const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
  const row = (name: string, usd: number, unserved: number): string =>
    `| ${name} | $${usd.toFixed(2)} | ${pct(1 - usd / result.always_on_usd)} | ${pct(unserved / result.requests)} |`;
  process.stdout.write(
    [
      '| strategy | total | below always-on | unserved |',
      '|---|---|---|---|',
      row('fleet policy (simulate)', result.total_usd, result.unserved_requests),
      row('always-on GPU fleet', result.always_on_usd, 0),
      row('all serverless (providers never fail)', result.all_serverless_usd, 0),
      row('hindsight optimum', optimum.total_usd, optimum.unserved_requests),
      '',
      `policy / optimum: ${(result.total_usd / optimum.total_usd).toFixed(4)}; policy gpu $${result.gpu_usd.toFixed(2)} (${result.gpu_instance_hours} instance-h), optimum gpu $${optimum.gpu_usd.toFixed(2)} (${optimum.gpu_instance_hours.toFixed(3)} instance-h); requests ${result.requests}`,
      '',
    ].join('\n'),
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`fleet: ${(error as Error).message}\n${usage ? `${USAGE}\n` : ''}`);
  process.exitCode = 2;
});
