import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogError, parseCatalog } from './catalog.ts';
import { loadCatalogFile, parseCatalogTolerant } from './catalog-tolerant.ts';
import { createCatalogIndex } from './catalog-index.ts';
import { scratchDir } from '@sophia/platform/testing';

describe('parseCatalog', () => {
  it('names the JSON path of a schema error', () => {
    expect(() => parseCatalog({ tables: [{ name: 'T', columns: [{ name: 'A' }] }] })).toThrow('$.tables[0].columns[0].type');
    expect(() => parseCatalog({ tables: [{ name: '', columns: [{ name: 'A', type: 'INT' }] }] })).toThrow('$.tables[0].name');
    expect(() => parseCatalog({ tables: [{ name: 'A.B.C.D', columns: [{ name: 'A', type: 'INT' }] }] })).toThrow(
      '$.tables[0].name: must be TABLE, SCHEMA.TABLE or DB.SCHEMA.TABLE',
    );
    expect(() => parseCatalog({ tabels: [] })).toThrow(CatalogError);
  });
  it('checks duplicates and key references', () => {
    expect(() => parseCatalog({ tables: [{ name: 'T', columns: [{ name: 'A', type: 'INT' }, { name: 'A', type: 'INT' }] }] })).toThrow(
      '$.tables[0].columns[1].name: duplicate column "A"',
    );
    expect(() =>
      parseCatalog({ tables: [{ name: 'T', columns: [{ name: 'A', type: 'INT' }], foreignKeys: [{ columns: ['A'], references: { table: 'U', columns: ['X'] } }] }] }),
    ).toThrow('$.tables[0].foreignKeys[0].references.table: unknown table "U"');
    expect(() => parseCatalog({ tables: [{ name: 'T', columns: [{ name: 'A', type: 'INT' }], primaryKey: ['B'] }] })).toThrow(
      '$.tables[0].primaryKey[0]: no column "B" in "T"',
    );
  });
  it('keeps column names exactly', () => {
    const c = parseCatalog({ tables: [{ name: 'db.s.T', columns: [{ name: 'Home Town', type: 'TEXT', samples: ['x'] }] }] });
    expect(c.tables[0]!.columns[0]!.name).toBe('Home Town');
  });
});

describe('loadCatalogFile', () => {
  const dir = scratchDir('sql-catalog-');
  it('reports unreadable and malformed files with the path', () => {
    expect(() => loadCatalogFile(join(dir, 'missing.json'))).toThrow(/cannot read catalog file .*missing\.json/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(() => loadCatalogFile(bad)).toThrow(/is not valid JSON/);
  });
});

describe('createCatalogIndex', () => {
  const index = createCatalogIndex(
    parseCatalog({ tables: [
      { name: 'DB.S.ORDERS', columns: [{ name: 'ID', type: 'INT' }] },
      { name: 'DB.T.ORDERS', columns: [{ name: 'ID', type: 'INT' }] },
      { name: 'DB.S.Items', columns: [{ name: 'ID', type: 'INT' }] },
    ] }),
    { allowedTables: ['DB.S.*'] },
  );
  const u = (text: string) => ({ text, quoted: false });
  const q = (text: string) => ({ text, quoted: true });
  it('resolves 1-, 2- and 3-part names', () => {
    expect(index.resolveTable([u('items')])).toMatchObject({ ok: true });
    expect(index.resolveTable([u('s'), u('orders')])).toMatchObject({ ok: true, table: { name: 'DB.S.ORDERS' } });
    expect(index.resolveTable([u('db'), u('t'), u('orders')])).toMatchObject({ ok: true, table: { name: 'DB.T.ORDERS' } });
    expect(index.resolveTable([u('orders')])).toMatchObject({ ok: false });
  });
  it('applies quoting rules to table names', () => {
    expect(index.resolveTable([q('Items')])).toMatchObject({ ok: true });
    expect(index.resolveTable([q('ITEMS')])).toMatchObject({ ok: false });
  });
  it('applies the allowed scope', () => {
    const t = index.resolveTable([u('t'), u('orders')]);
    expect(t.ok && index.inScope(t.table)).toBe(false);
  });
});

describe('parseCatalogTolerant', () => {
  it('loads tables with unknown columns and leaves out or repairs bad ones, saying where', () => {
    const c = parseCatalogTolerant({
      tables: [
        { name: 'DB.S.NO_DDL' },
        { name: 'DB.S.EMPTY', columns: [] },
        { name: '', columns: [{ name: 'A', type: 'INT' }] },
        { name: 'DB.S.OK', columns: [{ name: 'A' }, { name: 'A', type: 'INT' }, { type: 'INT' }], primaryKey: ['A', 'Z'], foreignKeys: [{ columns: ['A'], references: { table: 'DB.S.GONE', columns: ['X'] } }], extra: 1 },
        { name: 'DB.S.OK', columns: [{ name: 'B', type: 'INT' }] },
        'not a table',
      ],
    });
    expect(c.tables.map((t) => [t.name, t.columnsUnknown ?? false])).toEqual([['DB.S.NO_DDL', true], ['DB.S.EMPTY', true], ['DB.S.OK', false]]);
    expect(c.tables[2]).toEqual({ name: 'DB.S.OK', columns: [{ name: 'A', type: 'UNKNOWN' }], primaryKey: ['A'] });
    expect(c.problems).toEqual([
      '$.tables[2].name: must be TABLE, SCHEMA.TABLE or DB.SCHEMA.TABLE; table left out',
      '$.tables[3].columns[1].name: duplicate column "A" in "DB.S.OK"; the first one is kept',
      '$.tables[3].columns[2].name: must be a non-empty string; column left out',
      '$.tables[4].name: duplicate table "DB.S.OK"; the first one is kept',
      '$.tables[5]: not an object; table left out',
      'table "DB.S.OK": 1 foreign key(s) to tables not in the catalog left out',
    ]);
  });
  it('fails only on a document that is not a catalog', () => {
    expect(() => parseCatalogTolerant({ tabels: [] })).toThrow('$.tables: expected an array of tables');
  });
});
