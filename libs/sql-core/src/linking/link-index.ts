import { type Catalog } from '../catalog.ts';
import { contentTerms } from '../text-terms.ts';
import { groupTableFamilies, type TableUnit } from './table-families.ts';

/** Where a term occurs in a unit: its name, its description/synonyms, or one of its columns. */
export const Field = { Name: 0, Description: 1, Column: 2, ColumnDescription: 3, VariantField: 4 } as const;
export type Field = (typeof Field)[keyof typeof Field];

/** One occurrence of a vocabulary term. `col` indexes the unit's columns (-1 for table-level fields). */
export interface Posting {
  readonly unit: number;
  readonly field: Field;
  readonly col: number;
}

/** Per-unit data the ranking needs besides the postings. */
export interface UnitDoc {
  readonly unit: TableUnit;
  readonly nameTerms: readonly string[];
  readonly columns: readonly { readonly name: string; readonly terms: readonly string[] }[];
  /** Other units joined to this one by a foreign key (either direction). */
  readonly neighbours: readonly number[];
}

/**
 * A catalog prepared for linking, built once per catalog: tables grouped into units (families
 * ranked as one), an inverted index from stemmed terms to where they occur, and sample values by
 * text. Question time is then proportional to the question and the matches, not the catalog.
 */
export interface LinkIndex {
  readonly catalog: Catalog;
  readonly docs: readonly UnitDoc[];
  readonly postings: ReadonlyMap<string, readonly Posting[]>;
  /** Vocabulary terms of ≥ 4 letters by their first four letters (prefix matches share them). */
  readonly byPrefix: ReadonlyMap<string, readonly string[]>;
  /** Lower-cased sample values (≥ 3 characters) → the columns holding them. */
  readonly samples: ReadonlyMap<string, readonly Posting[]>;
  /** Longest sample value in words (bounds the question n-grams looked up). */
  readonly maxSampleWords: number;
}

const cache = new WeakMap<Catalog, LinkIndex>();

/** The link index of a catalog, built on first use and cached for the catalog object. */
export function linkIndexOf(catalog: Catalog): LinkIndex {
  let index = cache.get(catalog);
  if (!index) {
    index = createLinkIndex(catalog);
    cache.set(catalog, index);
  }
  return index;
}

/** Builds the link index (see {@link LinkIndex}); a family's columns are its first member's. */
export function createLinkIndex(catalog: Catalog): LinkIndex {
  const units = groupTableFamilies(catalog.tables);
  const postings = new Map<string, Posting[]>();
  const samples = new Map<string, Posting[]>();
  let maxSampleWords = 1;
  const unitOfTable = new Map<string, number>();
  units.forEach((u, i) => u.members.forEach((m) => unitOfTable.set(m.name, i)));
  const docs: UnitDoc[] = units.map((unit, ui) => {
    const add = (terms: readonly string[], field: Field, col: number): void => {
      for (const term of new Set(terms)) {
        const list = postings.get(term);
        const p = { unit: ui, field, col };
        if (list) list.push(p);
        else postings.set(term, [p]);
      }
    };
    const rep = unit.members[0]!;
    const nameTerms = [...new Set(contentTerms(unit.stem))];
    add(nameTerms, Field.Name, -1);
    const descText = unit.members.length > 1 ? [rep.description ?? '', ...(rep.synonyms ?? [])] : [rep.description ?? '', ...(rep.synonyms ?? [])];
    add(contentTerms(descText.join(' ')).filter((x) => !nameTerms.includes(x)), Field.Description, -1);
    const columns = rep.columns.map((c, ci) => {
      const terms = [...new Set(contentTerms(c.name))];
      add(terms, Field.Column, ci);
      add(contentTerms([c.description ?? '', ...(c.synonyms ?? [])].join(' ')).filter((x) => !terms.includes(x)), Field.ColumnDescription, ci);
      if (c.fields?.length) add(contentTerms(c.fields.join(' ')).filter((x) => !terms.includes(x)), Field.VariantField, ci);
      for (const s of c.samples ?? []) {
        const v = typeof s === 'string' ? s.trim().toLowerCase() : typeof s === 'number' ? String(s) : '';
        if (v.length < 3) continue;
        maxSampleWords = Math.max(maxSampleWords, v.split(/\s+/).length);
        const list = samples.get(v);
        if (list) list.push({ unit: ui, field: Field.Column, col: ci });
        else samples.set(v, [{ unit: ui, field: Field.Column, col: ci }]);
      }
      return { name: c.name, terms };
    });
    return { unit, nameTerms, columns, neighbours: [] };
  });
  // Foreign-key neighbours in both directions, over units.
  const neighbours = docs.map(() => new Set<number>());
  units.forEach((u, ui) => {
    for (const m of u.members) {
      for (const fk of m.foreignKeys ?? []) {
        const other = unitOfTable.get(fk.references.table);
        if (other === undefined || other === ui) continue;
        neighbours[ui]!.add(other);
        neighbours[other]!.add(ui);
      }
    }
  });
  const byPrefix = new Map<string, string[]>();
  for (const term of postings.keys()) {
    if (term.length < 4) continue;
    const k = term.slice(0, 4);
    const list = byPrefix.get(k);
    if (list) list.push(term);
    else byPrefix.set(k, [term]);
  }
  return {
    catalog,
    docs: docs.map((d, i) => ({ ...d, neighbours: [...neighbours[i]!] })),
    postings,
    byPrefix,
    samples,
    maxSampleWords: Math.min(maxSampleWords, 6),
  };
}
