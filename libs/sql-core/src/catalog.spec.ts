import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogError, loadCatalogFile, parseCatalog } from './catalog.ts';
import { createCatalogIndex } from './catalog-index.ts';

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
  const dir = mkdtempSync(join(tmpdir(), 'sql-catalog-'));
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
