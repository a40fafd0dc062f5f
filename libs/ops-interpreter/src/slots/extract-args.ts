import type { CommandIntent } from '../command-schema.ts';
import type { Phrase } from '../text/phrase.ts';
import type { CalendarDate } from './calendar-date.ts';
import type { Period } from './relative-period.ts';
import {
  extractAmount,
  extractBackend,
  extractBaseline,
  extractCount,
  extractGroupBy,
  extractInstanceId,
  extractInstanceType,
  extractOverrideId,
  extractServerlessPercent,
  extractTenant,
  extractTier,
  extractUntil,
  extractWindow,
  extractWorkload,
} from './extract-slots.ts';
import { extractRateLimits, extractRateLimitScope, extractRateLimitTenant } from './extract-rate-limits.ts';

/** What the argument extractors know besides the words. */
export interface ArgContext {
  readonly period: Period | undefined;
  readonly today: CalendarDate;
  readonly now: Date;
}

const REQUEST_NOUNS = /^(queries|query|requests?|prompts?|calls?|completions?|messages|jobs?|questions?)$/;
const INSTANCE_NOUNS = /^(instances?|gpus?|machines?|box(es)?|nodes?|servers?|vms?|h100|a100|a10|gh200|more|new|gpu_\S+)$/;

/** Drops undefined values so the args object holds exactly what the phrase gave. */
function defined(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}

/** The arguments of `intent` read from the phrase: only what the words give, nothing defaulted. */
export function extractArgs(intent: CommandIntent, p: Phrase, ctx: ArgContext): Record<string, unknown> {
  const period = ctx.period ?? {};
  switch (intent) {
    case 'usage.report':
      return defined({ ...period, group_by: extractGroupBy(p), tenant: extractTenant(p, { subjectVerbs: ['use', 'spend', 'used', 'spent'] }), workload: extractWorkload(p), backend: extractBackend(p) });
    case 'savings.report':
      return defined({ ...period, baseline: extractBaseline(p) });
    case 'costs.compare':
      return defined({ ...period, workload: extractWorkload(p, { allowFor: true }) });
    case 'costs.optimize':
      return defined({ workload: extractWorkload(p, { allowFor: true, allowBare: ['make'] }) });
    case 'route.next':
      return defined({ n: extractCount(p, REQUEST_NOUNS), backend: extractBackend(p, { afterTarget: true }) });
    case 'route.pin': {
      const tier = extractTier(p);
      const workload = tier ? undefined : extractWorkload(p, { allowBare: ['pin', 'send', 'route', 'move', 'keep', 'put'] });
      const tenant = tier || (workload && p.has('workload')) ? undefined : extractTenant(p);
      // A bare name after "pin"/"route" is a workload when it looks like a tag (has "-"), else a tenant.
      const named = workload ? p.raws.findIndex((r) => r.toLowerCase() === workload) : -1;
      const bare = !tier && !tenant && workload && !p.has('workload') && !workload.includes('-') && named >= 0 && ['to', 'on', 'onto'].includes(p.words[named + 1] ?? '') ? { tenant: workload, workload: undefined } : { tenant, workload };
      return defined({ backend: extractBackend(p, { afterTarget: true }), tier, ...bare, until: extractUntil(p, ctx.today, ctx.now) });
    }
    case 'traffic.split':
      return defined({ serverless_percent: extractServerlessPercent(p) });
    case 'overrides.list':
    case 'overrides.clear':
      return defined({ id: extractOverrideId(p) });
    case 'budget.show':
      return defined({ tenant: extractTenant(p, { budgetContext: true, subjectVerbs: ['have', 'has'] }) });
    case 'budget.set':
      return defined({ tenant: extractTenant(p, { budgetContext: true }), amount_usd: extractAmount(p), window: extractWindow(p) });
    case 'ratelimits.show':
      return defined({ tenant: extractRateLimitTenant(p) });
    case 'ratelimits.set':
      return defined({ tenant: extractRateLimitTenant(p), scope: extractRateLimitScope(p), ...extractRateLimits(p) });
    case 'breakers.show':
      return defined({ backend: extractBackend(p) });
    case 'gpu.list':
    case 'gpu.launch':
    case 'gpu.terminate':
      return defined({ count: extractCount(p, INSTANCE_NOUNS), instance_type: extractInstanceType(p), instance_id: intent === 'gpu.launch' ? undefined : extractInstanceId(p) });
  }
}
