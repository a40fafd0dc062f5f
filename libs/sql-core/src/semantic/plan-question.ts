import { stem } from '../text-terms.ts';
import type { QueryPlan } from './compile-plan.ts';
import type { SemanticModel } from './semantic-model.ts';
import { findTimePhrase, type TimeGrain } from './time-range.ts';

/** How a question maps onto a semantic model without an LLM. */
export type QuestionPlan =
  | { readonly kind: 'verified'; readonly name: string; readonly sql: string; readonly explanation: string }
  | { readonly kind: 'plan'; readonly plan: QueryPlan }
  | { readonly kind: 'uncovered'; readonly reason: string };

/** Words a question may contain that change nothing about the query. */
const FILLER = new Set(
  ('a an the of in on at to for from by with and is are was were be what which how much many show me give list get ' +
    'display tell please total totals overall all each every per across our my us we breakdown broken down split ' +
    'report see want would like can could you i do did does have has had during over within whats what\'s s ' +
    'group grouped value values amount figures numbers metrics data its their it this that there those these ' +
    'so far')
    .split(' '),
);

const GRAIN_WORDS: Record<string, TimeGrain> = { daily: 'day', weekly: 'week', monthly: 'month', quarterly: 'quarter', yearly: 'year', annually: 'year', annual: 'year' };

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[’']/g, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** The normal form verified questions are compared in: lower case, punctuation and spacing folded. */
export function normalizeQuestion(q: string): string {
  return words(q).join(' ');
}

interface Entry {
  readonly phrase: string[];
  readonly apply: (plan: MutablePlan) => void;
  /** Set for a dimension's name/synonym: "for tenant acme" makes the next word a value of it. */
  readonly dimension?: string;
  /** Set for a measure's name/synonym (second pass: "failed requests" names a filter and a measure). */
  readonly measure?: boolean;
}

/** Words that introduce a "<dimension> <value>" filter ("for tenant acme", "where model is x"). */
const VALUE_INTRO = new Set(['for', 'where', 'with', 'of', 'in', 'from', 'on']);

interface MutablePlan {
  measures: string[];
  dimensions: string[];
  filters: string[];
  dimensionFilters: Map<string, string[]>;
  /** Free values typed in the question (matched case-insensitively). */
  valueFilters: Map<string, string[]>;
}

function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

function lexicon(model: SemanticModel): Entry[] {
  const entries: Entry[] = [];
  const add = (texts: readonly string[], apply: Entry['apply']): void => {
    for (const t of texts) {
      const phrase = words(t).map(stem);
      if (phrase.length > 0) entries.push({ phrase, apply });
    }
  };
  for (const t of model.tables) {
    for (const m of t.measures) {
      for (const text of [m.name.replace(/_/g, ' '), ...m.synonyms]) {
        const phrase = words(text).map(stem);
        if (phrase.length > 0) entries.push({ phrase, apply: (p) => pushUnique(p.measures, m.name), measure: true });
      }
    }
    for (const d of t.dimensions) {
      for (const t of [d.name.replace(/_/g, ' '), ...d.synonyms]) {
        const phrase = words(t).map(stem);
        if (phrase.length > 0) entries.push({ phrase, apply: (p) => pushUnique(p.dimensions, d.name), dimension: d.name });
      }
      for (const v of d.sample_values) {
        add([v], (p) => {
          const list = p.dimensionFilters.get(d.name) ?? [];
          pushUnique(list, v);
          p.dimensionFilters.set(d.name, list);
        });
      }
    }
    for (const f of t.filters) add([f.name.replace(/_/g, ' '), ...f.synonyms], (p) => pushUnique(p.filters, f.name));
    // Naming the time dimension ("by order date") is covered by the grain/range; it consumes words only.
    for (const td of t.time_dimensions) add([td.name.replace(/_/g, ' '), ...td.synonyms], () => undefined);
  }
  // One entry per phrase (a synonym such as "usage" may name several measures); longest phrases
  // first, so "product category" wins over "product".
  const merged = new Map<string, Entry>();
  for (const e of entries) {
    const key = e.phrase.join(' ');
    const prev = merged.get(key);
    const dimension = prev?.dimension ?? e.dimension;
    const measure = prev?.measure === true || e.measure === true;
    merged.set(key, prev ? { phrase: e.phrase, apply: (p) => (prev.apply(p), e.apply(p)), ...(dimension ? { dimension } : {}), ...(measure ? { measure } : {}) } : e);
  }
  return [...merged.values()].sort((a, b) => b.phrase.length - a.phrase.length);
}

/** Whether a stemmed word is the first word of any model phrase (then it is not a free value). */
function isKnownWord(lex: readonly Entry[], word: string): boolean {
  return lex.some((e) => e.phrase[0] === word);
}

/**
 * Maps a question onto a semantic model with no LLM: a verified query whose question matches
 * exactly (after folding case and punctuation) answers it; otherwise measures, dimensions, named
 * filters and dimension sample values are matched by name or synonym (and "for <dimension> <word>"
 * filters on a free value) (stemmed, longest phrase
 * first), time phrases ("last quarter", "this week", "last 7 days") become a range, "by month"/
 * "monthly" a grain, "top 5"/"bottom 3" a limit with an order. Every word must be accounted for
 * (or be filler): a question with words the model does not know is `uncovered`, so it goes to
 * the LLM path instead of being answered wrongly.
 */
export function planQuestion(model: SemanticModel, question: string, now: Date): QuestionPlan {
  const normalized = normalizeQuestion(question);
  const verified = model.verified_queries.find((v) => normalizeQuestion(v.question) === normalized);
  if (verified) return { kind: 'verified', name: verified.name, sql: verified.sql, explanation: verified.explanation || `Verified query ${verified.name} of model ${model.name}: "${verified.question}".` };

  let text = ` ${normalized} `;
  const timePhrase = findTimePhrase(normalized, now);
  if (timePhrase) text = text.replace(` ${normalizeQuestion(timePhrase.matched)} `, ' ');
  let timeGrain: TimeGrain | undefined;
  const grainMatch = /\s(?:by|per|each) (day|week|month|quarter|year)\s/.exec(text) ?? new RegExp(`\\s(${Object.keys(GRAIN_WORDS).join('|')})\\s`).exec(text);
  if (grainMatch) {
    timeGrain = (GRAIN_WORDS[grainMatch[1]!] ?? grainMatch[1]) as TimeGrain;
    text = text.replace(grainMatch[0], ' ');
  }
  let limit: number | undefined;
  let direction: 'asc' | 'desc' = 'desc';
  const topMatch = /\s(top|bottom|first|best|worst|lowest|highest) (\d{1,4})\s/.exec(text);
  if (topMatch) {
    limit = Number(topMatch[2]);
    if (limit < 1) return { kind: 'uncovered', reason: `"${topMatch[0].trim()}" asks for no rows` };
    direction = ['bottom', 'worst', 'lowest'].includes(topMatch[1]!) ? 'asc' : 'desc';
    text = text.replace(topMatch[0], ' ');
  }

  const raw = words(text);
  const tokens = raw.map(stem);
  const consumed = tokens.map(() => false);
  const plan: MutablePlan = { measures: [], dimensions: [], filters: [], dimensionFilters: new Map(), valueFilters: new Map() };
  const lex = lexicon(model);
  for (const entry of lex) {
    for (let i = 0; i + entry.phrase.length <= tokens.length; i++) {
      if (entry.phrase.every((w, k) => tokens[i + k] === w && !consumed[i + k])) {
        for (let k = 0; k < entry.phrase.length; k++) consumed[i + k] = true;
        const next = i + entry.phrase.length;
        const value = raw[next];
        // "for tenant acme": a dimension introduced by for/where/… and followed by an unknown word
        // filters on that word instead of grouping by the dimension.
        if (entry.dimension && VALUE_INTRO.has(raw[i - 1] ?? '') && value !== undefined && !consumed[next] && !FILLER.has(value) && !isKnownWord(lex, tokens[next]!)) {
          consumed[next] = true;
          const list = plan.valueFilters.get(entry.dimension) ?? [];
          pushUnique(list, value);
          plan.valueFilters.set(entry.dimension, list);
        } else entry.apply(plan);
      }
    }
  }
  // No measure named outright: a measure phrase inside a filter's phrase counts ("failed requests",
  // "completed orders" filter *and* name what to count).
  if (plan.measures.length === 0) {
    for (const entry of lex.filter((e) => e.measure)) {
      for (let i = 0; i + entry.phrase.length <= tokens.length; i++) {
        if (entry.phrase.every((w, k) => tokens[i + k] === w)) entry.apply(plan);
      }
    }
  }
  const unknown = tokens.filter((w, i) => !consumed[i] && !FILLER.has(w) && !FILLER.has(raw[i] ?? ''));
  if (unknown.length > 0) return { kind: 'uncovered', reason: `model ${model.name} does not know: ${[...new Set(unknown)].join(', ')}` };
  if (plan.measures.length === 0) return { kind: 'uncovered', reason: `no measure of model ${model.name} is named in the question` };
  const hasTime = model.tables.some((t) => t.time_dimensions.length > 0);
  if ((timePhrase || timeGrain) && !hasTime) return { kind: 'uncovered', reason: `model ${model.name} has no time dimension` };
  return {
    kind: 'plan',
    plan: {
      measures: plan.measures,
      dimensions: plan.dimensions,
      filters: plan.filters,
      dimensionFilters: [
        ...[...plan.dimensionFilters].map(([dimension, values]) => ({ dimension, values })),
        ...[...plan.valueFilters].map(([dimension, values]) => ({ dimension, values, caseInsensitive: true })),
      ],
      ...(timePhrase ? { timeRange: timePhrase.range } : {}),
      ...(timeGrain ? { timeGrain } : {}),
      ...(limit !== undefined ? { limit, orderBy: { field: plan.measures[0]!, direction } } : {}),
    },
  };
}
