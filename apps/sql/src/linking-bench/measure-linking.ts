import { performance } from 'node:perf_hooks';
import { createCatalogIndex, createLinkIndex, groupTableFamilies, linkSchema, parseCatalogTolerant, type Catalog } from '@sophia/sql-core';
import { buildSyntheticWarehouse, loadDomains, type LinkQuestion } from './synthetic-warehouse.ts';

/** Linking quality and cost on one generated warehouse. */
export interface LinkingFigures {
  readonly tables: number;
  readonly families: number;
  readonly questions: number;
  /** Mean share of gold tables among the first 5 names returned. */
  readonly recallAt5: number;
  /** Mean share of gold tables whose unit (table or family) is among the first 5 units returned. */
  readonly unitRecallAt5: number;
  /** Questions with every gold table among the first 5 names. */
  readonly allGoldInTop5: number;
  /** Milliseconds: JSON text → tolerant catalog, → validator index, → link index; median link per question. */
  readonly loadMs: number;
  readonly validatorIndexMs: number;
  readonly linkIndexMs: number;
  readonly linkMedianMs: number;
  readonly linkP95Ms: number;
  readonly misses: { question: string; gold: readonly string[]; top: string[] }[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] ?? 0;

/** Scores linking on one generated warehouse of about `size` tables (see buildSyntheticWarehouse). */
export function measureLinkingAt(domainsPath: string, size: number): LinkingFigures {
  const w = buildSyntheticWarehouse(loadDomains(domainsPath), size);
  const text = JSON.stringify({ tables: w.tables });
  let t0 = performance.now();
  const catalog: Catalog = parseCatalogTolerant(JSON.parse(text));
  const loadMs = performance.now() - t0;
  t0 = performance.now();
  createCatalogIndex(catalog);
  const validatorIndexMs = performance.now() - t0;
  t0 = performance.now();
  createLinkIndex(catalog);
  const linkIndexMs = performance.now() - t0;
  const unitOf = new Map<string, string>();
  const units = groupTableFamilies(catalog.tables);
  for (const u of units) for (const m of u.members) unitOf.set(m.name, u.key);
  linkSchema(catalog, 'warm up'); // builds the cached link index used below
  const times: number[] = [];
  let sum = 0;
  let unitSum = 0;
  let all = 0;
  const misses: LinkingFigures['misses'] = [];
  for (const q of w.questions) {
    const s = performance.now();
    const linked = linkSchema(catalog, q.question, { top: 5 }).tables;
    times.push(performance.now() - s);
    const names = linked.slice(0, 5).map((t) => t.name);
    const topUnits = new Set(linked.map((t) => t.family?.pattern ?? t.name));
    const hit = q.gold.filter((g) => names.includes(g)).length;
    sum += hit / q.gold.length;
    unitSum += q.gold.filter((g) => topUnits.has(unitOf.get(g) ?? g)).length / q.gold.length;
    if (hit === q.gold.length) all++;
    else misses.push({ question: q.question, gold: q.gold, top: names });
  }
  const n = Math.max(w.questions.length, 1);
  return {
    tables: catalog.tables.length,
    families: units.filter((u) => u.members.length > 1).length,
    questions: w.questions.length,
    recallAt5: sum / n,
    unitRecallAt5: unitSum / n,
    allGoldInTop5: all,
    loadMs,
    validatorIndexMs,
    linkIndexMs,
    linkMedianMs: median(times),
    linkP95Ms: p95(times),
    misses,
  };
}

export type { LinkQuestion };
