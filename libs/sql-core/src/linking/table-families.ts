import { type CatalogTable } from '../catalog.ts';

/** A group of tables ranked as one: a date-sharded family (`EVENTS_20201104`, …) or a single table. */
export interface TableUnit {
  /** Family pattern (`DB.S.EVENTS_*`) or the table name. */
  readonly key: string;
  /** Members in shard order (oldest first); one table for a non-family unit. */
  readonly members: readonly CatalogTable[];
  /** Shard date of each member as `YYYYMMDD` (month/year shards padded with 01), or null outside families. */
  readonly shards: readonly (string | null)[];
  /** The name part the terms come from (`EVENTS` for the family, the short name otherwise). */
  readonly stem: string;
  /** Digits of the shard date that carry meaning: 8 (daily), 6 (monthly), 4 (yearly); 0 outside families. */
  readonly grain: number;
}

// YYYYMMDD, YYYYMM, YYYY_MM_DD, YYYY_MM or YYYY at the end of a name, after `_` or directly after letters.
const SHARD = /^(.*?[A-Za-z])_?((?:19|20)\d{2})(?:_?(0[1-9]|1[0-2]))?(?:_?([0-2]\d|3[01]))?$/;

/** Splits a short table name into its family stem and shard date, or null when it carries no date suffix. */
export function shardOf(shortName: string): { stem: string; date: string; grain: number } | null {
  const m = SHARD.exec(shortName);
  if (!m) return null;
  const [, stem, y, mo, d] = m;
  // A bare year needs the separator (`SALES_2020`), so `TOP2000`-like names are not families.
  if (!mo && !shortName.slice(stem!.length).startsWith('_')) return null;
  return { stem: stem!, date: `${y}${mo ?? '01'}${d ?? '01'}`, grain: d ? 8 : mo ? 6 : 4 };
}

function columnShape(t: CatalogTable): string {
  return t.columns.map((c) => c.name.toUpperCase()).sort().join(',');
}

/**
 * Groups date-sharded tables of one shape into families: same database/schema, same stem, at least
 * two members, and the same column names (or unknown columns). A family is linked as one unit, so
 * 300 daily shards do not crowd every other table out of the top ranks; other tables are their own unit.
 */
export function groupTableFamilies(tables: readonly CatalogTable[]): TableUnit[] {
  const groups = new Map<string, { table: CatalogTable; date: string; stem: string; grain: number }[]>();
  const singles: CatalogTable[] = [];
  for (const t of tables) {
    const parts = t.name.split('.');
    const short = parts[parts.length - 1]!;
    const shard = shardOf(short);
    if (!shard) {
      singles.push(t);
      continue;
    }
    const key = `${[...parts.slice(0, -1), shard.stem].join('.').toUpperCase()}|${shard.grain}|${t.columnsUnknown ? '?' : columnShape(t)}`;
    const list = groups.get(key);
    const entry = { table: t, ...shard };
    if (list) list.push(entry);
    else groups.set(key, [entry]);
  }
  const units: TableUnit[] = [];
  for (const list of groups.values()) {
    if (list.length < 2) {
      singles.push(list[0]!.table);
      continue;
    }
    list.sort((a, b) => a.date.localeCompare(b.date));
    const parts = list[0]!.table.name.split('.');
    units.push({ key: `${[...parts.slice(0, -1), list[0]!.stem].join('.')}_*`, members: list.map((x) => x.table), shards: list.map((x) => x.date), stem: list[0]!.stem, grain: list[0]!.grain });
  }
  for (const t of singles) units.push({ key: t.name, members: [t], shards: [null], stem: t.name.split('.').pop()!, grain: 0 });
  const order = new Map(tables.map((t, i) => [t, i]));
  return units.sort((a, b) => order.get(a.members[0]!)! - order.get(b.members[0]!)!);
}
