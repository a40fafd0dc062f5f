import type { Phrase } from '../text/phrase.ts';
import { GROUP_BY } from '../command-schema.ts';
import { addDays, formatDate, isoWeekday, parseDate, type CalendarDate } from './calendar-date.ts';
import { leadingCalendarDate } from './calendar-period.ts';
import { isStopword } from '../text/english.ts';

// Slot extractors: each reads one kind of argument out of a phrase (a period already cut out),
// or answers undefined. They never guess a value the words do not give.

/** A backend the phrase names (the one after "to"/"onto"/"on" when both are named). */
export function extractBackend(p: Phrase, opts: { afterTarget?: boolean } = {}): 'gpu' | 'serverless' | undefined {
  const mentions: Array<{ at: number; backend: 'gpu' | 'serverless' }> = [];
  p.words.forEach((w, i) => {
    if (w === 'serverless' || w === 'pay-per-token' || (w === 'pay' && p.words[i + 1] === 'per') || (w === 'providers' && p.words[i - 1] !== 'gpu') || w === 'provider' || (w === 'api' && p.words[i - 1] !== 'gpu')) {
      mentions.push({ at: i, backend: 'serverless' });
    } else if (['gpu', 'gpus', 'h100', 'a100', 'a10', 'gh200', 'vllm', 'dedicated'].includes(w) || (w === 'instance' || w === 'instances') && p.words[i - 1] !== 'serverless') {
      mentions.push({ at: i, backend: 'gpu' });
    }
  });
  if (mentions.length === 0) return undefined;
  const kinds = new Set(mentions.map((m) => m.backend));
  if (kinds.size === 1) return mentions[0]!.backend;
  if (!opts.afterTarget) return undefined;
  const target = mentions.find((m) => ['to', 'onto', 'on', 'into', 'via', 'use', 'through'].includes(p.words[m.at - 1] ?? '') || ['to', 'onto', 'on'].includes(p.words[m.at - 2] ?? ''));
  return target?.backend;
}

const TIERS: Readonly<Record<string, 'simple' | 'balanced' | 'complex'>> = {
  simple: 'simple', easy: 'simple', trivial: 'simple', light: 'simple', small: 'simple', short: 'simple', basic: 'simple', cheap: 'simple',
  balanced: 'balanced', medium: 'balanced', moderate: 'balanced', mid: 'balanced', average: 'balanced', normal: 'balanced', intermediate: 'balanced',
  complex: 'complex', hard: 'complex', difficult: 'complex', heavy: 'complex', advanced: 'complex', complicated: 'complex', tough: 'complex', large: 'complex', big: 'complex',
};

/** The complexity tier the phrase names ("complex queries", "hard prompts", "the simple tier"). */
export function extractTier(p: Phrase): 'simple' | 'balanced' | 'complex' | undefined {
  for (let i = 0; i < p.words.length; i++) {
    const tier = TIERS[p.words[i]!];
    if (!tier) continue;
    const next = p.words[i + 1] ?? '';
    if (['simple', 'balanced', 'complex'].includes(p.words[i]!) || /^(queries|query|requests?|prompts?|tier|tasks?|questions?|ones|traffic|calls?|jobs?|work)$/.test(next)) return tier;
  }
  return undefined;
}

const SLUG_STOP = new Set(['dedicated', 'pay-per-token', 'provider', 'providers', 'vllm', 'this', 'that', 'the', 'our', 'my', 'a', 'an', 'it', 'us', 'me', 'them', 'lambda', 'labs', 'gpu', 'gpus', 'serverless', 'costs', 'cost', 'spend', 'spending', 'everything', 'all', 'testing', 'test', 'now', 'please', 'workload', 'workloads', 'traffic', 'tenant', 'inference', 'bill', 'instance', 'instances', 'requests', 'queries', 'prompts', 'us?', 'each', 'every']);

/** A workload tag from raw words: lower case, spaces to hyphens ("Daily Reporting" → "daily-reporting"). */
function slug(raws: readonly string[]): string | undefined {
  const kept = raws.map((r) => r.toLowerCase().replace(/[^a-z0-9._-]/g, '')).filter((r) => r.length > 0);
  const edge = (k: string): boolean => SLUG_STOP.has(k) || isStopword(k);
  while (kept.length > 0 && edge(kept[0]!)) kept.shift();
  while (kept.length > 0 && edge(kept[kept.length - 1]!)) kept.pop();
  if (kept.length === 0 || kept.length > 4 || kept.some((k) => SLUG_STOP.has(k) && k !== 'test')) return undefined;
  const tag = kept.join('-');
  return /^[a-z0-9][a-z0-9._-]{0,63}$/.test(tag) ? tag : undefined;
}

const BOUNDARY = new Set(['to', 'onto', 'on', 'for', 'until', 'by', 'per', 'with', 'and', 'from', 'in', 'over', 'at', 'vs', 'versus', 'than', 'please', 'traffic', 'requests', 'queries', 'prompts', 'cheaper', 'is', 'are', 'should', 'tenant', 'workload', 'grouped', 'broken']);

/**
 * The workload the phrase names: "the X workload", "workload X", "for X" (after an optimise /
 * compare verb), "usage of X". Never "this workload" (the caller's context, not a tag).
 */
export function extractWorkload(p: Phrase, opts: { allowFor?: boolean; allowBare?: readonly string[] } = {}): string | undefined {
  const w = p.words;
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 'workload' || w[i] === 'workloads' || w[i] === 'pipeline' || w[i] === 'job') {
      // "the daily reporting workload"
      let s = i;
      while (s > 0 && !BOUNDARY.has(w[s - 1]!) && i - s < 3 && !['the', 'our', 'this', 'that', 'my', 'of', 'pin', 'route', 'send', 'make', 'optimize'].includes(w[s - 1]!)) s--;
      const before = s < i ? slug(p.raws.slice(s, i)) : undefined;
      if (before) return before;
      // "workload daily-reporting", "workload named X"
      let j = i + 1;
      if (w[j] === 'named' || w[j] === 'called' || w[j] === 'tagged') j++;
      let e = j;
      while (e < w.length && !BOUNDARY.has(w[e]!) && e - j < 3) e++;
      const after = e > j ? slug(p.raws.slice(j, e)) : undefined;
      if (after) return after;
    }
  }
  if (opts.allowFor) {
    for (let i = 0; i < w.length; i++) {
      if (w[i] !== 'for' && w[i] !== 'on' && w[i] !== 'of') continue;
      let e = i + 1;
      while (e < w.length && !BOUNDARY.has(w[e]!) && e - i <= 4) e++;
      const tag = slug(p.raws.slice(i + 1, e));
      if (tag && !/^\d/.test(tag)) return tag;
    }
  }
  for (const verb of opts.allowBare ?? []) {
    const i = w.indexOf(verb);
    if (i < 0) continue;
    let e = i + 1;
    while (e < w.length && !BOUNDARY.has(w[e]!) && e - i <= 4) e++;
    const tag = slug(p.raws.slice(i + 1, e));
    if (tag) return tag;
  }
  return undefined;
}

const NOT_TENANT = new Set(['much', 'many', 'left', 'remaining', 'do', 'does', 'did', 'have', 'has', 'to', 'for', 'of', 'on', 'at', 'by', 'in', 'with', 'from', 'and', 'or', 'the', 'our', 'my', 'this', 'that', 'a', 'an', 'all', 'every', 'each', 'budget', 'budgets', 'monthly', 'daily', 'spending', 'limit', 'it', 'its', 'them', 'us', 'me', 'we', 'lambda', 'labs', 'gpu', 'serverless', 'tenant', 'tenants', 'everyone', 'everybody', 'is', 'usage', 'total', 'overall', 'account', 'current', 'cost', 'costs', 'traffic', 'requests', 'queries', 'prompts', 'what', 'which', 'how', 'you', 'they']);

/** The word at `i` as a tenant name, or undefined when it is a keyword, stopword or number. */
export function tenantWord(p: Phrase, i: number): string | undefined {
  const raw = p.raws[i];
  const word = p.words[i];
  if (raw === undefined || word === undefined || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(raw) || /^\d+$/.test(raw)) return undefined;
  const lower = raw.toLowerCase();
  if (isStopword(lower)) return undefined;
  if (NOT_TENANT.has(word) || TIERS[word]) {
    // A name that extends a keyword, which the typo corrector bent into it ("tenantB" → "tenants"),
    // is still a name; a synonym ("per" → "by") or a misspelt keyword ("spendnig") is not.
    const extendsKeyword = word.length > 3 && lower.length >= word.length && lower !== word && lower.startsWith(word.slice(0, -1));
    if (!extendsKeyword || NOT_TENANT.has(lower) || TIERS[lower]) return undefined;
  }
  return lower;
}

/**
 * The tenant the phrase names: "tenant acme", "acme tenant", "acme's budget", "budget for acme",
 * "limit acme to …", "route acme to …", "what did acme use".
 */
export function extractTenant(p: Phrase, opts: { budgetContext?: boolean; subjectVerbs?: readonly string[] } = {}): string | undefined {
  const w = p.words;
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 'tenant' || w[i] === 'customer' || w[i] === 'team' || w[i] === 'org' || w[i] === 'account') {
      const after = w[i + 1] === 'named' || w[i + 1] === 'called' ? i + 2 : i + 1;
      const t = tenantWord(p, after);
      if (t && w[after + 1] !== 'budget') return t;
      const before = tenantWord(p, i - 1);
      if (before && !['for', 'of', 'by', 'per', 'each', 'every', 'across'].includes(w[i - 1]!)) return before;
    }
    if (w[i] === "'s") {
      const t = tenantWord(p, i - 1);
      if (t) return t;
    }
  }
  if (opts.budgetContext) {
    for (let i = 0; i < w.length; i++) {
      if ((w[i] === 'for' || w[i] === 'of' || w[i] === 'is') && !['usage'].includes(w[i + 1] ?? '')) {
        const t = tenantWord(p, i + 1);
        if (t && !/^\$|^\d/.test(t) && !['day', 'month', 'week'].includes(t)) return t;
      }
      if ((w[i] === 'budget' || w[i] === 'limit') && i > 0) {
        // "acme budget", "acme daily budget": the name may stand before the window's adjective.
        const at = ['daily', 'monthly'].includes(w[i - 1]!) ? i - 2 : i - 1;
        const t = tenantWord(p, at);
        if (t && !['set', 'change', 'raise', 'increase', 'lower', 'show', 'make', 'update', 'adjust', 'the', 'get', 'check', 'view', 'spending'].includes(w[at]!)) return t;
      }
      if ((w[i] === 'limit' || w[i] === 'cap') && (w[i + 2] === 'to' || w[i + 2] === 'at')) {
        const t = tenantWord(p, i + 1);
        if (t) return t;
      }
    }
  }
  for (const verb of opts.subjectVerbs ?? []) {
    const i = w.indexOf(verb);
    if (i > 0 && (w[i - 2] === 'did' || w[i - 2] === 'has' || w[i - 2] === 'does')) {
      const t = tenantWord(p, i - 1);
      if (t) return t;
    }
  }
  return undefined;
}

/** A dollar amount: "$2,500", "7.50 dollars", "$1.5k", "300 usd", "usd 40". */
export function extractAmount(p: Phrase): number | undefined {
  const w = p.words;
  for (let i = 0; i < w.length; i++) {
    const word = w[i]!;
    let m = /^\$\s?(\d[\d,]*(?:\.\d+)?)([km])?$/.exec(word);
    if (!m && word === '$' && /^\d/.test(w[i + 1] ?? '')) m = /^()(\d[\d,]*(?:\.\d+)?)([km])?$/.exec(w[i + 1]!)?.slice(1) as unknown as RegExpExecArray;
    const numeric = /^(\d[\d,]*(?:\.\d+)?)([km])?$/.exec(word);
    if (!m && numeric && (/^(dollars?|usd|bucks)$/.test(w[i + 1] ?? '') || /^(usd)$/.test(w[i - 1] ?? ''))) m = numeric;
    if (!m) continue;
    const value = Number(m[1]!.replace(/,/g, ''));
    if (!Number.isFinite(value)) continue;
    const scale = m[2] === 'k' ? 1000 : m[2] === 'm' ? 1_000_000 : 1;
    // Kept to the micro-dollar, the ledger's unit: a sub-cent budget is not rounded to $0.
    return Math.round(value * scale * 1e6) / 1e6;
  }
  return undefined;
}

/** A negative amount ("-$50", "minus 20 dollars") is reported, not silently made positive. */
export function hasNegativeAmount(text: string): boolean {
  return /(^|\s)(-\s?\$\s?\d|\$\s?-\d|minus\s+\$?\d|negative\s+\$?\d)/i.test(text);
}

/** A budget window: "daily", "per day", "a month", "monthly". */
export function extractWindow(p: Phrase): 'daily' | 'monthly' | undefined {
  const t = ` ${p.text} `;
  if (/ (daily|per day|a day|each day|every day|day) /.test(t)) return 'daily';
  if (/ (monthly|per month|a month|each month|every month|month|mo) /.test(t)) return 'monthly';
  return undefined;
}

/** The first plain integer in the phrase before one of `nouns`, or after "next"/"following". */
export function extractCount(p: Phrase, nouns: RegExp): number | undefined {
  const w = p.words;
  for (let i = 0; i < w.length; i++) {
    if (!/^\d+$/.test(w[i]!)) continue;
    const n = Number(w[i]);
    if (nouns.test(w[i + 1] ?? '') || nouns.test(w[i + 2] ?? '') || nouns.test(w[i + 3] ?? '') || ['next', 'following', 'first'].includes(w[i - 1] ?? '')) return n;
    // "scale the fleet up by 2"
    if (w[i - 1] === 'by' && w.includes('scale')) return n;
  }
  return undefined;
}

/**
 * The split as the serverless share in percent: "30% to serverless" → 30, "30% to GPU" → 70,
 * "60/40 serverless/gpu" → 60.
 */
export function extractServerlessPercent(p: Phrase): number | undefined {
  // Fractions of the traffic as percentages ("half the traffic", "a quarter of the requests").
  const FRACTIONS: Readonly<Record<string, string>> = { half: '50%', quarter: '25%', third: '33.3%' };
  const w = p.words.map((x, i) => (FRACTIONS[x] && /^(of|the|our|traffic|requests|queries|prompts|calls)$/.test(p.words[i + 1] ?? '') ? (p.words[i - 1] === '3' && x === 'quarter' ? '75%' : FRACTIONS[x]!) : x));
  for (let i = 0; i < w.length; i++) {
    let pct: number | undefined;
    let end = i + 1;
    const m = /^(\d+(?:\.\d+)?)%$/.exec(w[i]!);
    if (m) pct = Number(m[1]);
    else if (/^\d+(?:\.\d+)?$/.test(w[i]!) && (w[i + 1] === 'percent' || w[i + 1] === '%' || (w[i + 1] === 'per' && w[i + 2] === 'cent'))) {
      pct = Number(w[i]);
      end = w[i + 1] === 'per' ? i + 3 : i + 2;
    }
    if (pct === undefined) continue;
    // The backend nearest after the number decides which share it is (else the nearest before).
    const after = w.slice(end, end + 7);
    const before = w.slice(Math.max(0, i - 4), i).reverse();
    const side = (ws: readonly string[]): 'gpu' | 'serverless' | undefined => {
      for (const x of ws) {
        if (x === 'serverless' || x === 'pay-per-token' || x === 'providers') return 'serverless';
        if (x === 'gpu' || x === 'gpus' || x === 'instances' || x === 'instance' || x === 'vllm') return 'gpu';
      }
      return undefined;
    };
    const backend = side(after) ?? side(before);
    if (backend === 'gpu') return 100 - pct;
    return pct;
  }
  const ratio = /\b(\d{1,3})\s?\/\s?(\d{1,3})\s+(serverless|gpu)/.exec(p.raws.join(' ').toLowerCase()) ?? /\b(\d{1,3})\/(\d{1,3})\b.*?\b(serverless|gpu)/.exec(p.text);
  if (ratio && Number(ratio[1]) + Number(ratio[2]) === 100) return ratio[3] === 'gpu' ? Number(ratio[2]) : Number(ratio[1]);
  return undefined;
}

/** A routing override id: the word after "override" / "pin" / "id" that looks like an id (has a digit, "-" or "_"). */
export function extractOverrideId(p: Phrase): string | undefined {
  for (let i = 0; i < p.words.length; i++) {
    if (!['override', 'pin', 'id', 'rule', 'overrides', '#'].includes(p.words[i]!)) continue;
    const raw = p.raws[i + 1] === 'id' ? p.raws[i + 2] : p.raws[i + 1];
    if (raw && /^[A-Za-z0-9][A-Za-z0-9_.:-]{1,127}$/.test(raw) && /[\d_-]/.test(raw) && !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return raw.toLowerCase();
  }
  return undefined;
}

/** A GPU instance id: a long hex id anywhere, or an id-looking word after "instance"/"id". */
export function extractInstanceId(p: Phrase): string | undefined {
  const hex = p.raws.find((r) => /^[0-9a-f]{16,64}$/i.test(r));
  if (hex) return hex.toLowerCase();
  for (let i = 0; i < p.words.length; i++) {
    if (!['instance', 'id', 'box', 'machine', 'node', 'server', 'vm'].includes(p.words[i]!)) continue;
    const raw = p.raws[i + 1];
    if (raw && /^[A-Za-z0-9][A-Za-z0-9_.:-]{2,127}$/.test(raw) && /\d/.test(raw) && /[-_]|[a-z]\d|\d[a-z]/i.test(raw)) return raw.toLowerCase();
  }
  return undefined;
}

const GPU_MODELS: Readonly<Record<string, string>> = { h100: 'h100_sxm5', a100: 'a100', a10: 'a10', gh200: 'gh200', a6000: 'a6000', v100: 'v100', b200: 'b200_sxm6' };

/** A Lambda instance type: "gpu_1x_a100" as written, or "8x H100" / "H100 PCIe" / "A10" mapped to the Cloud API's names. */
export function extractInstanceType(p: Phrase): string | undefined {
  const literal = p.words.find((w) => /^gpu_\d+x_[a-z0-9_]+$/.test(w));
  if (literal) return literal;
  for (let i = 0; i < p.words.length; i++) {
    const model = GPU_MODELS[p.words[i]!];
    if (!model) continue;
    const prev = p.words[i - 1] ?? '';
    const count = /^(\d+)x$/.exec(prev)?.[1] ?? (/^\d+$/.test(p.words[i - 2] ?? '') && prev === 'x' ? p.words[i - 2] : undefined) ?? '1';
    const variant = p.words[i + 1] === 'pcie' ? `${p.words[i]}_pcie` : p.words[i + 1] === 'sxm' || p.words[i + 1] === 'sxm5' ? `${p.words[i]}_sxm5` : model;
    return `gpu_${count}x_${variant}`;
  }
  return undefined;
}

/** "by model", "per tenant", "broken down by backend", "daily breakdown" → the group-by dimensions. */
export function extractGroupBy(p: Phrase): string | undefined {
  const found: string[] = [];
  const dims: Readonly<Record<string, string>> = { model: 'model', models: 'model', tenant: 'tenant', tenants: 'tenant', customer: 'tenant', backend: 'backend', backends: 'backend', tier: 'tier', tiers: 'tier', day: 'day', days: 'day', date: 'day', workload: 'workload', workloads: 'workload' };
  for (let i = 0; i < p.words.length; i++) {
    if (!['by', 'per', 'each', 'across'].includes(p.words[i]!)) continue;
    // "by backend and tier", "per model, tenant": a list after the preposition.
    for (let j = i + 1; j < p.words.length; j += 2) {
      const dim = dims[p.words[j] ?? ''];
      if (!dim) break;
      if (!found.includes(dim)) found.push(dim);
      if (!['and', 'or', ','].includes(p.words[j + 1] ?? '')) break;
    }
  }
  if (/\b(daily breakdown|day by day|per-day|each day)\b/.test(p.text) && !found.includes('day')) found.push('day');
  const ordered = found.filter((d) => (GROUP_BY as readonly string[]).includes(d));
  return ordered.length > 0 ? ordered.join(',') : undefined;
}

/** Which counterfactual a savings question is against. */
export function extractBaseline(p: Phrase): 'gpu' | 'largest_tier' | 'all_serverless' | 'all_gpu' | undefined {
  const t = p.text;
  if (/\b(largest|biggest|strongest|premium|most expensive|complex)\b.*\b(tier|model|models)\b|\blargest\b/.test(t)) return 'largest_tier';
  if (/\b(all|everything|only|pure)\b( on)? serverless\b|\bserverless only\b/.test(t)) return 'all_serverless';
  if (/\b(all|everything|only|pure)\b( on)? gpu(s)?\b(?! baseline| fleet)|\bgpu only\b/.test(t)) return 'all_gpu';
  if (/\bbaseline\b|\balways-on\b|\balways on\b|\bgpu fleet\b|\bdedicated\b|\bold setup\b|\bgpu\b/.test(t)) return 'gpu';
  return undefined;
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** "until tomorrow" / "until Friday" / "until 2026-12-31" / "until the end of the week|month" / "for 2 hours|days" → a date or UTC time. */
export function extractUntil(p: Phrase, today: CalendarDate, now: Date): string | undefined {
  const w = p.words;
  for (let i = 0; i < w.length; i++) {
    if (['until', 'till', 'til', 'through', 'thru'].includes(w[i]!)) {
      const next = w[i + 1] === 'next' ? w[i + 2] : w[i + 1];
      if (next === 'tomorrow') return formatDate(addDays(today, 1));
      if (next === 'today' || next === 'tonight') return formatDate(addDays(today, 1));
      const wd = WEEKDAYS.indexOf(next ?? '') + 1;
      if (wd > 0) {
        let delta = (wd - isoWeekday(today) + 7) % 7;
        if (delta === 0 || w[i + 1] === 'next') delta += 7;
        return formatDate(addDays(today, delta));
      }
      if (next && parseDate(next)) return next;
      if (next && /^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(:\d{2})?(\.\d+)?z$/.test(next)) return next.toUpperCase();
      const written = leadingCalendarDate(p.raws.slice(i + 1, i + 4).join(' '), today);
      if (written) return formatDate(written);
      const rest = w.slice(i + 1, i + 6).join(' ');
      if (/^(the )?end of (the |this )?week/.test(rest)) return formatDate(addDays(today, 8 - isoWeekday(today)));
      if (/^(the )?end of (the |this )?month/.test(rest)) return formatDate({ y: today.m === 12 ? today.y + 1 : today.y, m: today.m === 12 ? 1 : today.m + 1, d: 1 });
    }
    if (w[i] === 'for' && /^\d+$/.test(w[i + 1] ?? '') && /^(hours?|days?|minutes?|weeks?)$/.test(w[i + 2] ?? '')) {
      const n = Number(w[i + 1]);
      const unit = w[i + 2]!.replace(/s$/, '');
      const ms = n * (unit === 'minute' ? 60_000 : unit === 'hour' ? 3_600_000 : unit === 'day' ? 86_400_000 : 7 * 86_400_000);
      return new Date(now.getTime() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
  }
  return undefined;
}
