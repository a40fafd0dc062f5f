import { type Catalog } from './catalog.ts';
import { datesInQuestion, type DateSpan } from './linking/question-dates.ts';
import { Field, linkIndexOf, type LinkIndex } from './linking/link-index.ts';
import { type TableUnit } from './linking/table-families.ts';
import { contentTerms, termsMatch } from './text-terms.ts';

/** A ranked table with the evidence that ranked it; `family` when it stands in a date-sharded family. */
export interface LinkedTable {
  readonly name: string;
  readonly score: number;
  readonly reasons: string[];
  readonly family?: { readonly pattern: string; readonly members: number };
}

/** A ranked column (`table` is the catalog table name). */
export interface LinkedColumn {
  readonly table: string;
  readonly name: string;
  readonly score: number;
  readonly reasons: string[];
}

/**
 * Result of schema linking: tables best first — `top` units (tables or families), a family expanded to
 * the members the question's dates select, or its latest member — and the matching columns.
 */
export interface SchemaLink {
  readonly tables: LinkedTable[];
  readonly columns: LinkedColumn[];
}

/** Options: `top` units to return (default 5); `topColumns` (default 4 × top). */
export interface LinkOptions {
  readonly top?: number;
  readonly topColumns?: number;
}

type Match = 'exact' | 'prefix';

/** Weight of an exact match per field (a prefix match counts half). */
const WEIGHT: Record<Field, number> = {
  [Field.Name]: 3,
  [Field.Description]: 1.5,
  [Field.Column]: 1,
  [Field.ColumnDescription]: 0.5,
  [Field.VariantField]: 0.8,
};
const WHOLE_NAME_BONUS = 2;
const WHOLE_COLUMN_BONUS = 0.5;
const SAMPLE_WEIGHT = 2.5;
/** A family with shards for the dates a question names is very likely the one asked about. */
const DATE_SHARD_BONUS = 3;
/** Layer prefixes/suffixes that mark copies of one entity (`STG_ORDERS`, `ORDERS_SNAPSHOT`, `ORDERS_V2`). */
const COPY_AFFIXES = /^(STG|STAGING|INT|RAW|SRC|BASE|TMP|TEMP)_|_(SNAPSHOT|SNAPSHOTS|HISTORY|OLD|BACKUP|BAK|V\d+|DEPRECATED|ARCHIVE|COPY|TMP)$/gi;

interface ColumnAcc {
  score: number;
  nameHits: number;
  reasons: string[];
}

/**
 * Ranks catalog tables and columns for a natural-language question from names (split snake/camel
 * case, stemmed), descriptions, synonyms, VARIANT field paths, sample values and foreign-key
 * neighbours. Matches are looked up in the catalog's inverted index; date-sharded families rank as one unit and are expanded to the shards the question's dates
 * name. Tuned for recall: the LLM prompt gets the top tables, so a missed table costs more than an extra one.
 */
export function linkSchema(catalog: Catalog, question: string, options: LinkOptions = {}): SchemaLink {
  const index = linkIndexOf(catalog);
  const top = options.top ?? 5;
  const docs = index.docs;
  const matched = matchVocabulary(index, [...new Set(contentTerms(question))]);
  // Per unit: table-level score, per column accumulators.
  const unitScore = new Float64Array(docs.length);
  const reasons = new Map<number, string[]>();
  const nameHits = new Map<number, Set<string>>();
  const cols = new Map<number, Map<number, ColumnAcc>>();
  const why = (u: number): string[] => {
    let r = reasons.get(u);
    if (!r) reasons.set(u, (r = []));
    return r;
  };
  const colAcc = (u: number, c: number): ColumnAcc => {
    let m = cols.get(u);
    if (!m) cols.set(u, (m = new Map()));
    let a = m.get(c);
    if (!a) m.set(c, (a = { score: 0, nameHits: 0, reasons: [] }));
    return a;
  };
  for (const [term, kind] of matched) {
    const w = kind === 'exact' ? 1 : 0.5;
    const note = `"${term}"${kind === 'prefix' ? ' (partial)' : ''}`;
    for (const p of index.postings.get(term) ?? []) {
      const s = WEIGHT[p.field] * w;
      if (p.field === Field.Name) {
        unitScore[p.unit]! += s;
        why(p.unit).push(`table name ${note}`);
        let h = nameHits.get(p.unit);
        if (!h) nameHits.set(p.unit, (h = new Set()));
        h.add(term);
      } else if (p.field === Field.Description) {
        unitScore[p.unit]! += s;
        why(p.unit).push(`table description/synonym ${note}`);
      } else {
        const a = colAcc(p.unit, p.col);
        a.score += s;
        if (p.field === Field.Column) a.nameHits++;
        a.reasons.push(`${p.field === Field.Column ? 'column name' : p.field === Field.VariantField ? 'field path' : 'column description/synonym'} ${note}`);
      }
    }
  }
  for (const [value, list] of sampleHits(index, question)) {
    for (const p of list) {
      const a = colAcc(p.unit, p.col);
      if (a.reasons.some((r) => r.startsWith('sample value'))) continue;
      a.score += SAMPLE_WEIGHT;
      a.reasons.push(`sample value "${value}"`);
    }
  }
  for (const [u, h] of nameHits) {
    const terms = docs[u]!.nameTerms;
    if (terms.length > 0 && terms.every((t) => h.has(t))) {
      unitScore[u]! += WHOLE_NAME_BONUS;
      why(u).push('whole table name');
    }
  }
  const columns: LinkedColumn[] = [];
  for (const [u, m] of cols) {
    const scores: number[] = [];
    for (const [c, a] of m) {
      const col = docs[u]!.columns[c]!;
      if (col.terms.length > 0 && a.nameHits >= col.terms.length) a.score += WHOLE_COLUMN_BONUS;
      scores.push(a.score);
      columns.push({ table: docs[u]!.unit.members[docs[u]!.unit.members.length - 1]!.name, name: col.name, score: round(a.score), reasons: a.reasons });
    }
    scores.sort((a, b) => b - a);
    unitScore[u]! += (scores[0] ?? 0) + 0.3 * scores.slice(1, 4).reduce((a, b) => a + b, 0);
    why(u).push(`${scores.length} matching column(s)`);
  }
  // Foreign-key neighbours: a bridge table between two matched tables is usually needed in the join.
  const base = Float64Array.from(unitScore);
  docs.forEach((d, u) => {
    const near = d.neighbours.map((n) => base[n]!).filter((s) => s > 0).sort((a, b) => b - a);
    if (near.length === 0) return;
    unitScore[u]! += 0.25 * near[0]! + (near.length > 1 ? 0.25 * near[1]! : 0);
    why(u).push(`foreign-key neighbour of ${near.length} matched table(s)`);
  });
  // Families: the shards the question's dates select.
  const spans = datesInQuestion(question);
  const picked = new Map<number, number[]>();
  docs.forEach((d, u) => {
    if (d.unit.members.length < 2) return;
    const hits = shardsFor(d.unit, spans);
    if (hits.length > 0) {
      unitScore[u]! += DATE_SHARD_BONUS;
      why(u).push(`${hits.length} shard(s) for the dates asked`);
      picked.set(u, hits);
    }
  });
  const ranked = diversify(
    docs.map((_, u) => u).sort((a, b) => unitScore[b]! - unitScore[a]! || a - b),
    (u) => copyKey(docs[u]!.unit.stem),
    top,
  );
  const tables: LinkedTable[] = [];
  for (const u of ranked) {
    const unit = docs[u]!.unit;
    const score = round(unitScore[u]!);
    const r = reasons.get(u) ?? [];
    if (unit.members.length === 1) {
      tables.push({ name: unit.members[0]!.name, score, reasons: r });
      continue;
    }
    const members = picked.get(u) ?? [unit.members.length - 1];
    const family = { pattern: unit.key, members: unit.members.length };
    for (const m of members) tables.push({ name: unit.members[m]!.name, score, reasons: r, family });
  }
  columns.sort((a, b) => b.score - a.score);
  return { tables, columns: columns.slice(0, options.topColumns ?? top * 4) };
}

/** The entity a table name stands for, without layer affixes (`STG_ORDERS` and `ORDERS_SNAPSHOT` → `order`). */
function copyKey(stem: string): string {
  return contentTerms(stem.replace(COPY_AFFIXES, '')).join('_');
}

/**
 * The first `top` of a ranking, at most one per entity before any second one: five copies of
 * `PRODUCT` from five source systems tell the prompt less than the product table and four others.
 * Copies fill the remaining places only when there are not enough distinct entities.
 */
function diversify(ranked: readonly number[], key: (u: number) => string, top: number): number[] {
  const out: number[] = [];
  const later: number[] = [];
  const seen = new Set<string>();
  for (const u of ranked) {
    if (out.length >= top) break;
    const k = key(u);
    if (seen.has(k)) later.push(u);
    else {
      seen.add(k);
      out.push(u);
    }
  }
  for (const u of later) {
    if (out.length >= top) break;
    out.push(u);
  }
  return out;
}

/** Vocabulary terms the question's terms match, exactly or by a ≥ 4-letter prefix (exact wins). */
function matchVocabulary(index: LinkIndex, question: readonly string[]): Map<string, Match> {
  const matched = new Map<string, Match>();
  for (const q of question) {
    if (index.postings.has(q)) matched.set(q, 'exact');
    if (q.length < 4) continue;
    for (const v of index.byPrefix.get(q.slice(0, 4)) ?? []) {
      const m = termsMatch(q, v);
      if (m && matched.get(v) !== 'exact') matched.set(v, m);
    }
  }
  return matched;
}

/** Sample values the question contains as whole words (n-grams up to the longest sample). */
function sampleHits(index: LinkIndex, question: string): Map<string, readonly { unit: number; col: number }[]> {
  const out = new Map<string, readonly { unit: number; col: number }[]>();
  if (index.samples.size === 0) return out;
  const words = question
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[?!,;:"()\].]+$/gu, ''))
    .filter((w) => w.length > 0);
  for (let i = 0; i < words.length; i++) {
    for (let n = 1; n <= index.maxSampleWords && i + n <= words.length; n++) {
      const v = words.slice(i, i + n).join(' ');
      const list = index.samples.get(v);
      if (list && v.length >= 3) out.set(v, list);
    }
  }
  return out;
}

/** Indexes of a family's members whose shard date falls in one of the spans (at the family's grain). */
function shardsFor(unit: TableUnit, spans: readonly DateSpan[]): number[] {
  if (spans.length === 0) return [];
  const g = unit.grain;
  const out: number[] = [];
  unit.shards.forEach((d, i) => {
    if (d === null) return;
    const key = d.slice(0, g);
    if (spans.some((s) => key >= s.from.slice(0, g) && key <= s.to.slice(0, g))) out.push(i);
  });
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
