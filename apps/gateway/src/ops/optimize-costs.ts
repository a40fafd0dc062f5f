import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Backend } from '@sophia/contracts/common';
import { Dimension } from '@sophia/contracts/ledger';
import { OptimizationSchema, type Optimization, type Plan } from '@sophia/contracts/ops';
import type { CommandArgs } from '@sophia/ops-interpreter';
import { tenantInScope, type Caller } from '../api-key-scopes.ts';
import { commandResult, formatUsd, usd, type Cell } from './command-result.ts';
import type { OperatorContext } from './operator-context.ts';
import { ledgerOf } from './read-commands.ts';
import type { WriteCommand } from './write-commands.ts';
import type { WorkloadRepeats } from './prompts/prompt-repeat-store.ts';

const DAYS = 30;

/** One concrete change the analysis found, before it becomes a plan. */
interface Finding {
  readonly title: string;
  readonly rationale: string;
  readonly monthlySavingUsd: number;
  readonly command: WriteCommand;
}

/**
 * costs.optimize: reads the workload's real usage over the last 30 days (tier mix, backend mix,
 * cost per request) and the ledger's serverless-vs-GPU break-even per workload and model, and
 * proposes concrete changes — each with its expected monthly saving and a stored plan that applies
 * it (when the caller may write). Proposes nothing it cannot price.
 */
export async function optimizeCosts(
  ctx: OperatorContext,
  caller: Caller,
  args: CommandArgs<'costs.optimize'>,
  plan: (command: WriteCommand) => Promise<Plan | undefined>,
): Promise<Optimization> {
  const ledger = ledgerOf(ctx);
  const tenant = tenantInScope(caller, undefined, { everyoneForAdmin: true });
  const endMs = ctx.now();
  const [usage, breakEven, repeats] = await Promise.all([
    ledger.getUsageReport({ start: timestampFromMs(endMs - DAYS * 86_400_000), end: timestampFromMs(endMs), groupBy: [Dimension.WORKLOAD_TAG, Dimension.TIER, Dimension.BACKEND], tenant: tenant ?? '' }, { timeoutMs: ctx.callTimeoutMs }),
    ledger.getBreakEven({ days: DAYS }, { timeoutMs: ctx.callTimeoutMs }),
    ctx.prompts?.repeats({ ...(tenant !== undefined ? { tenant } : {}), ...(args.workload !== undefined ? { workload: args.workload } : {}), sinceMs: endMs - DAYS * 86_400_000, untilMs: endMs }),
  ]);
  const rows = usage.rows.filter((r) => args.workload === undefined || r.keys[0] === args.workload);
  const requests = rows.reduce((s, r) => s + Number(r.requests), 0);
  const cost = rows.reduce((s, r) => s + usd(r.cost), 0);
  const scope = args.workload === undefined ? 'all workloads' : `workload ${args.workload}`;
  const findings: Finding[] = [];
  // Dedicated GPU vs pay-per-token, per workload/model, from the ledger's break-even rows.
  for (const b of breakEven.rows.filter((r) => r.workloadTag !== '' && (args.workload === undefined || r.workloadTag === args.workload))) {
    if (!b.serverlessCost || !b.gpuCost) continue;
    const serverless = usd(b.serverlessCost);
    const gpu = usd(b.gpuCost);
    const onGpu = rows.filter((r) => r.keys[0] === b.workloadTag && r.keys[2] === 'gpu').reduce((s, r) => s + Number(r.requests), 0);
    const total = rows.filter((r) => r.keys[0] === b.workloadTag).reduce((s, r) => s + Number(r.requests), 0);
    if (b.cheaper === Backend.GPU && serverless > gpu && onGpu < total) {
      findings.push({
        title: `Pin workload ${b.workloadTag} to GPU`,
        rationale: `${Number(b.requests).toLocaleString('en-US')} requests of ${b.model} in ${DAYS} days would cost ${formatUsd(serverless)} serverless vs ${formatUsd(gpu)} on ${b.gpuInstances}× ${b.gpuInstanceType} (utilisation ${Math.round(b.gpuUtilisation * 100)}%); ${total - onGpu} of ${total} of its requests are not on GPU now.`,
        monthlySavingUsd: ((serverless - gpu) * (total - onGpu)) / Math.max(1, total),
        command: { intent: 'route.pin', args: { backend: 'gpu', workload: b.workloadTag } },
      });
    } else if (b.cheaper === Backend.SERVERLESS && onGpu > 0 && gpu > serverless) {
      findings.push({
        title: `Pin workload ${b.workloadTag} to serverless`,
        rationale: `${b.model} at this volume keeps ${b.gpuInstances}× ${b.gpuInstanceType} only ${Math.round(b.gpuUtilisation * 100)}% busy: ${formatUsd(gpu)} of instance time vs ${formatUsd(serverless)} pay-per-token for the same tokens; ${onGpu} of its ${total} requests ran on GPU.`,
        monthlySavingUsd: ((gpu - serverless) * onGpu) / Math.max(1, total),
        command: { intent: 'route.pin', args: { backend: 'serverless', workload: b.workloadTag } },
      });
    }
  }
  // Within the workload: a tier whose GPU requests cost more per request than its serverless ones.
  const tiers = new Set(rows.map((r) => r.keys[1]!));
  for (const tier of tiers) {
    const of = (backend: string) => rows.filter((r) => r.keys[1] === tier && r.keys[2] === backend).reduce((a, r) => ({ n: a.n + Number(r.requests), c: a.c + usd(r.cost) }), { n: 0, c: 0 });
    const g = of('gpu');
    const s = of('serverless');
    if (g.n < 10 || s.n < 10 || args.workload !== undefined) continue;
    const gpr = g.c / g.n;
    const spr = s.c / s.n;
    if (gpr > spr * 1.1) {
      findings.push({
        title: `Pin ${tier} requests to serverless`,
        rationale: `${tier}-tier requests cost ${formatUsd(gpr)} each on GPU vs ${formatUsd(spr)} serverless over ${DAYS} days (${g.n} GPU requests).`,
        monthlySavingUsd: g.n * (gpr - spr),
        command: { intent: 'route.pin', args: { backend: 'serverless', tier: tier as 'simple' | 'balanced' | 'complex' } },
      });
    }
  }
  const repeated = repeatedPromptFindings(repeats, requests);
  findings.sort((a, b) => b.monthlySavingUsd - a.monthlySavingUsd);
  const proposals = [];
  for (const f of findings.slice(0, 5)) {
    let p: Plan | undefined;
    try {
      p = await plan(f.command);
    } catch (err) {
      ctx.logger.debug({ err: (err as Error).message, title: f.title }, 'optimisation proposal not plannable for this caller');
    }
    proposals.push({ title: f.title, rationale: f.rationale, monthlySavingUsd: Math.round(f.monthlySavingUsd * 100) / 100, ...(p ? { plan: p } : {}) });
  }
  const tierMix: Cell[][] = [...tiers].sort().map((tier) => {
    const t = rows.filter((r) => r.keys[1] === tier);
    const n = t.reduce((s, r) => s + Number(r.requests), 0);
    const c = t.reduce((s, r) => s + usd(r.cost), 0);
    const gpuN = t.filter((r) => r.keys[2] === 'gpu').reduce((s, r) => s + Number(r.requests), 0);
    return [tier, n, requests > 0 ? Math.round((n / requests) * 1000) / 10 : 0, c, n > 0 ? c / n : null, n > 0 ? Math.round((gpuN / n) * 1000) / 10 : 0];
  });
  // Kept to the micro-dollar: a small workload's repeats are still a number, not $0.
  for (const r of repeated) proposals.push({ title: r.title, rationale: r.rationale, monthlySavingUsd: Math.round(r.monthlySavingUsd * 1e6) / 1e6 });
  const total = findings.slice(0, 5).reduce((s, f) => s + f.monthlySavingUsd, 0) + repeated.reduce((s, r) => s + r.monthlySavingUsd, 0);
  const count = Math.min(findings.length, 5) + repeated.length;
  const summary =
    requests === 0
      ? `No usage of ${scope} in the last ${DAYS} days: nothing to optimise yet.`
      : `${scope}, last ${DAYS} days: ${requests.toLocaleString('en-US')} requests, ${formatUsd(cost)} (${formatUsd(cost / requests)}/request). ` +
        (count === 0 ? 'Routing is already at the cheaper backend for every workload/model the ledger can price; no change proposed.' : `${count} change(s) proposed, ≈ ${formatUsd(total)}/month in total.`) +
        (repeats === undefined ? ' Repeated prompts are not measured here (no prompt fingerprints).' : ` ${repeatSummary(repeats)}`);
  return create(OptimizationSchema, {
    analysis: commandResult(summary, ['tier', 'requests', 'share_percent', 'cost_usd', 'cost_per_request_usd', 'gpu_percent'], tierMix),
    proposals,
  });
}

/** A workload whose repeats are worth caching: at least this many repeated requests in the window. */
const MIN_REPEATS = 10;

/**
 * Repeated prompts: requests whose exact prompt (model, messages, parameters) the workload had
 * already sent in the last 30 days. A response cache would have answered them for free, so their
 * cost is the saving; it is advice, not a routing change, so it carries no plan.
 */
function repeatedPromptFindings(repeats: readonly WorkloadRepeats[] | undefined, requests: number): Array<Omit<Finding, 'command'>> {
  if (repeats === undefined || requests === 0) return [];
  return repeats
    .filter((r) => r.repeated >= MIN_REPEATS && r.repeatedCostMicroUsd > 0n)
    .slice(0, 3)
    .map((r) => ({
      title: `Cache repeated prompts of ${r.workload === '' ? 'untagged requests' : `workload ${r.workload}`}`,
      rationale: `${r.repeated.toLocaleString('en-US')} of its ${r.requests.toLocaleString('en-US')} requests in ${DAYS} days repeated a prompt it had already sent, for ${formatUsd(usd(r.repeatedCostMicroUsd))}; a response cache in front of it would have answered them without an upstream call. Not appliable as a routing plan.`,
      monthlySavingUsd: usd(r.repeatedCostMicroUsd),
    }));
}

/** One sentence on repeats across the workloads read. */
function repeatSummary(repeats: readonly WorkloadRepeats[]): string {
  const n = repeats.reduce((s, r) => s + r.repeated, 0);
  const of = repeats.reduce((s, r) => s + r.requests, 0);
  const cost = repeats.reduce((s, r) => s + r.repeatedCostMicroUsd, 0n);
  return of === 0 ? 'No prompt fingerprints recorded yet.' : `Repeated prompts: ${n.toLocaleString('en-US')} of ${of.toLocaleString('en-US')} answered requests (${formatUsd(usd(cost))}).`;
}
