import { type Catalog, type CatalogTable } from './catalog.ts';
import { contentTerms, termsMatch } from './text-terms.ts';

/** A ranked table with the evidence that ranked it. */
export interface LinkedTable {
  readonly name: string;
  readonly score: number;
  readonly reasons: string[];
}

/** A ranked column (`table` is the catalog table name). */
export interface LinkedColumn {
  readonly table: string;
  readonly name: string;
  readonly score: number;
  readonly reasons: string[];
}

/** Result of schema linking: tables best first (always `top` of them when the catalog has that many). */
export interface SchemaLink {
  readonly tables: LinkedTable[];
  readonly columns: LinkedColumn[];
}

/** Options: `top` tables to return (default 5); `topColumns` (default 4 × top). */
export interface LinkOptions {
  readonly top?: number;
  readonly topColumns?: number;
}

interface Evidence {
  score: number;
  reasons: string[];
}

function matchTerms(question: readonly string[], terms: readonly string[], weight: number, what: string, ev: Evidence): number {
  let hits = 0;
  for (const t of new Set(terms)) {
    let best: 'exact' | 'prefix' | null = null;
    for (const q of question) {
      const m = termsMatch(q, t);
      if (m === 'exact') {
        best = 'exact';
        break;
      }
      if (m) best = 'prefix';
    }
    if (best) {
      const s = best === 'exact' ? weight : weight * 0.5;
      ev.score += s;
      hits++;
      ev.reasons.push(`${what} "${t}"${best === 'prefix' ? ' (partial)' : ''}`);
    }
  }
  return hits;
}

function tableShortName(t: CatalogTable): string {
  return t.name.split('.').pop() ?? t.name;
}

/**
 * Ranks catalog tables and columns for a natural-language question from names (split snake/camel
 * case, stemmed), descriptions, synonyms, sample values and foreign-key neighbours. Tuned for
 * recall: the LLM prompt gets the top tables, so a missed table costs more than an extra one.
 */
export function linkSchema(catalog: Catalog, question: string, options: LinkOptions = {}): SchemaLink {
  const top = options.top ?? 5;
  const q = contentTerms(question);
  const qLower = question.toLowerCase();
  const tableEv = new Map<string, Evidence>();
  const columns: LinkedColumn[] = [];
  for (const t of catalog.tables) {
    const ev: Evidence = { score: 0, reasons: [] };
    const nameTerms = contentTerms(tableShortName(t));
    const hits = matchTerms(q, nameTerms, 3, 'table name', ev);
    if (nameTerms.length > 0 && hits === nameTerms.length) {
      ev.score += 2;
      ev.reasons.push('whole table name');
    }
    matchTerms(q, contentTerms([t.description ?? '', ...(t.synonyms ?? [])].join(' ')).filter((x) => !nameTerms.includes(x)), 1.5, 'table description/synonym', ev);
    const colScores: number[] = [];
    for (const c of t.columns) {
      const cev: Evidence = { score: 0, reasons: [] };
      const cTerms = contentTerms(c.name);
      const ch = matchTerms(q, cTerms, 1, 'column name', cev);
      if (cTerms.length > 0 && ch === cTerms.length) cev.score += 0.5;
      matchTerms(q, contentTerms([c.description ?? '', ...(c.synonyms ?? [])].join(' ')).filter((x) => !cTerms.includes(x)), 0.5, 'column description/synonym', cev);
      for (const s of c.samples ?? []) {
        const v = typeof s === 'string' ? s.trim().toLowerCase() : typeof s === 'number' ? String(s) : '';
        if (v.length >= 3 && qLower.includes(v)) {
          cev.score += 2.5;
          cev.reasons.push(`sample value "${v}"`);
          break;
        }
      }
      if (cev.score > 0) {
        colScores.push(cev.score);
        columns.push({ table: t.name, name: c.name, score: round(cev.score), reasons: cev.reasons });
      }
    }
    colScores.sort((a, b) => b - a);
    const colPart = (colScores[0] ?? 0) + 0.3 * colScores.slice(1, 4).reduce((a, b) => a + b, 0);
    if (colPart > 0) {
      ev.score += colPart;
      ev.reasons.push(`${colScores.length} matching column(s)`);
    }
    tableEv.set(t.name, ev);
  }
  // Foreign-key neighbours: a bridge table between two matched tables is usually needed in the join.
  const base = new Map([...tableEv].map(([k, v]) => [k, v.score]));
  for (const t of catalog.tables) {
    const neighbours = new Set<string>();
    for (const fk of t.foreignKeys ?? []) neighbours.add(fk.references.table);
    for (const o of catalog.tables) for (const fk of o.foreignKeys ?? []) if (fk.references.table === t.name) neighbours.add(o.name);
    neighbours.delete(t.name);
    const scores = [...neighbours].map((n) => base.get(n) ?? 0).filter((s) => s > 0).sort((a, b) => b - a);
    if (scores.length === 0) continue;
    const ev = tableEv.get(t.name)!;
    const bonus = 0.25 * scores[0]! + (scores.length > 1 ? 0.25 * scores[1]! : 0);
    ev.score += bonus;
    ev.reasons.push(`foreign-key neighbour of ${scores.length} matched table(s)`);
  }
  const order = new Map(catalog.tables.map((t, i) => [t.name, i]));
  const tables = [...tableEv.entries()]
    .map(([name, ev]) => ({ name, score: round(ev.score), reasons: ev.reasons }))
    .sort((a, b) => b.score - a.score || order.get(a.name)! - order.get(b.name)!)
    .slice(0, top);
  columns.sort((a, b) => b.score - a.score);
  return { tables, columns: columns.slice(0, options.topColumns ?? top * 4) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
