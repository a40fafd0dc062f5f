import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalog } from './catalog.ts';
import { validateSql } from './validate-sql.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
const catalog = parseCatalog(fixture('test-catalog.json'));
const scope = { allowedTables: ['SALES.PUBLIC.*'] };
const v = (sql: string, maxRows = 1000) => validateSql(sql, catalog, { ...scope, maxRows });

describe('unsafe corpus', () => {
  const unsafe = fixture('unsafe-corpus.json') as { sql: string; why: string }[];
  it('has at least 100 statements', () => {
    expect(unsafe.length).toBeGreaterThanOrEqual(100);
  });
  it.each(unsafe.map((u) => [u.why, u.sql]))('rejects %s', (_why, sql) => {
    const r = v(sql);
    expect(r.ok).toBe(false);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.sql).toBeUndefined();
    for (const e of r.errors) expect(e.length).toBeGreaterThan(5);
  });
});

describe('safe corpus', () => {
  const safe = fixture('safe-corpus.json') as string[];
  it.each(safe.map((s) => [s]))('accepts %s', (sql) => {
    const r = v(sql);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe('safe statements turned unsafe', () => {
  // Every accepted statement must become a rejection once something unsafe is smuggled in.
  const safe = (fixture('safe-corpus.json') as string[]).map((q) => q.replace(/;\s*$/, ''));
  const smuggle: [string, (q: string) => string][] = [
    ['stacked statement', (q) => `${q}\n; DROP TABLE orders`],
    ['statement after a line comment', (q) => `${q} -- x\n; DELETE FROM orders`],
    ['statement after a block comment', (q) => `${q}\n/* x */; DROP TABLE orders`],
    ['zero-width character in a keyword', (q) => `${q}\nUNION ALL SEL\u200bECT id FROM orders`],
    ['out-of-scope union', (q) => `SELECT * FROM hr.private.salaries UNION ALL ${q}`],
    ['system function', (q) => `SELECT SYSTEM$CANCEL_ALL_QUERIES() FROM (${q}) x`],
    ['DML prefix', (q) => `DELETE FROM orders WHERE id IN (${q})`],
  ];
  it.each(smuggle)('rejects every safe statement with a %s', (_name, make) => {
    const accepted = safe.map(make).filter((q) => v(q).ok);
    expect(accepted).toEqual([]);
  });
});

describe('comments', () => {
  // The tokenizer sees every comment, so none can hide a statement; the statement that runs has none.
  it.each([
    ['SELECT id -- k\nFROM orders // all\nWHERE amount > 1 /* euros */', 'SELECT id \nFROM SALES.PUBLIC.orders \nWHERE amount > 1 LIMIT 1000'],
    ['SELECT id FROM orders -- ; DELETE FROM orders', 'SELECT id FROM SALES.PUBLIC.orders LIMIT 1000'],
    ['/* a */ SELECT 1; -- b', '  SELECT 1 LIMIT 1000'],
  ])('accepts %j and runs it without comments', (sql, out) => {
    const r = v(sql);
    expect(r.errors).toEqual([]);
    expect(r.sql).toBe(out);
  });
});

describe('Snowflake constructs', () => {
  it('caps FETCH FIRST like LIMIT', () => {
    expect(v('SELECT id FROM orders FETCH FIRST 5000 ROWS ONLY').sql).toBe('SELECT id FROM SALES.PUBLIC.orders FETCH FIRST 1000 ROWS ONLY');
    expect(v('SELECT id FROM orders OFFSET 2 ROWS FETCH NEXT 3 ROWS ONLY').sql).toBe('SELECT id FROM SALES.PUBLIC.orders OFFSET 2 ROWS FETCH NEXT 3 ROWS ONLY');
  });
  it('checks lambda bodies against the lambda parameters and the row', () => {
    expect(v('SELECT FILTER(items, a -> a:qty > amount) FROM orders').ok).toBe(true);
    expect(v('SELECT FILTER(items, a -> b > 1) FROM orders').errors[0]).toMatch(/unknown column b/);
  });
  it('refuses a time-travel point that is not a constant', () => {
    expect(v('SELECT * FROM orders AT(OFFSET => id)').errors[0]).toMatch(/constant point in time; id is not allowed/);
  });
  it('checks the names in * EXCLUDE against what the star expands to', () => {
    expect(v('SELECT c.* EXCLUDE (profile) FROM customers c').ok).toBe(true);
    expect(v('SELECT c.* EXCLUDE amount FROM customers c JOIN orders o ON o.customer_id = c.id').errors).toEqual(['unknown column amount in EXCLUDE (not in SALES.PUBLIC.CUSTOMERS (alias c))']);
  });
  it('resolves a name shared by two tables to the SELECT alias of that name', () => {
    expect(v('SELECT o.id AS id FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY id').ok).toBe(true);
  });
});

describe('function allowlist (deny by default)', () => {
  it.each([
    ["SELECT current_setting('temp_directory')", 'function CURRENT_SETTING is not allowed (not on the Snowflake function allowlist)'],
    ["SELECT read_blob('/etc/hostname')", 'function READ_BLOB is not allowed (not on the Snowflake function allowlist)'],
    ['SELECT pg_sleep(100)', 'function PG_SLEEP is not allowed (not on the Snowflake function allowlist)'],
    ['SELECT CURRENT_ROLE()', 'function CURRENT_ROLE is not allowed (not on the Snowflake function allowlist)'],
    ['SELECT SUM(amount) OVER (), my_agg(amount) FROM orders', 'function MY_AGG is not allowed (not on the Snowflake function allowlist)'],
    ["SELECT REPEAT('x', 2000000000)", 'REPEAT: argument 2 must be a number literal of at most 10000 (its work is not bounded by the data)'],
  ])('%s', (sql, error) => {
    expect(v(sql).errors).toEqual([error]);
  });
  it('allows the functions analysts use, in any case', () => {
    expect(v("select date_trunc('month', ordered_at), count_if(amount > 1), listagg(status, ',') from orders group by 1").ok).toBe(true);
  });
});

describe('tables with unknown columns', () => {
  const partial = parseCatalog({ tables: [{ name: 'DB.S.KNOWN', columns: [{ name: 'ID', type: 'INT' }] }] });
  const withUnknown = { tables: [...partial.tables, { name: 'DB.S.RAW_EVENTS', columns: [], columnsUnknown: true }] };
  it('accepts their columns and says they were not checked', () => {
    const r = validateSql('SELECT e.anything, k.id FROM raw_events e JOIN known k ON k.id = e.known_id', withUnknown);
    expect(r.ok).toBe(true);
    expect(r.warnings?.[0]).toMatch(/columns of table DB.S.RAW_EVENTS are unknown/);
  });
  it('still checks the known tables and CTEs over them', () => {
    expect(validateSql('SELECT k.nope FROM known k, raw_events e', withUnknown).errors[0]).toMatch(/unknown column nope/);
    expect(validateSql('WITH x AS (SELECT * FROM raw_events) SELECT x.a, x.b FROM x', withUnknown).ok).toBe(true);
    expect(validateSql('SELECT id FROM known, raw_events', withUnknown).columns).toEqual(['DB.S.KNOWN.ID']);
  });
});

describe('precise errors', () => {
  it('names the forbidden construct', () => {
    expect(v('SELECT 1; DROP TABLE orders').errors).toContain('multiple statements are not allowed: exactly one statement per request');
    expect(v('SELECT SYSTEM$WHITELIST()').errors[0]).toMatch(/SYSTEM\$WHITELIST/);
    expect(v('SELECT id FROM orders -- x\n; DROP TABLE t').errors[0]).toMatch(/multiple statements/);
    expect(v('SEL\u200bECT 1').errors[0]).toMatch(/U\+200B/);
  });
  it('names the unknown table and the out-of-scope table', () => {
    expect(v('SELECT * FROM nope').errors).toEqual(['unknown table nope: not in the catalog']);
    expect(v('SELECT * FROM salaries').errors).toEqual(['table HR.PRIVATE.SALARIES is outside the allowed scope']);
  });
  it('names the unknown column with its table', () => {
    expect(v('SELECT o.nope FROM orders o').errors).toEqual(['unknown column nope in SALES.PUBLIC.ORDERS (alias o) (written o.nope)']);
    expect(v('SELECT nope FROM orders').errors).toEqual(['unknown column nope (not in SALES.PUBLIC.ORDERS)']);
  });
  it('rejects a parse failure instead of passing it', () => {
    const r = v('SELECT id FROM orders WHERE');
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatch(/^parse error/);
  });
  it('fails closed on oversized and deeply nested statements', () => {
    expect(v(`SELECT id FROM orders WHERE id IN (${'1,'.repeat(60_000)}1)`).errors[0]).toMatch(/^statement is \d+ characters; the limit is 100000/);
    const deep = `SELECT ${'('.repeat(3000)}1${')'.repeat(3000)} FROM orders`;
    // Whatever the parser's stack allows, the validator returns a verdict instead of throwing.
    const r = v(deep);
    expect(r.ok ? r.sql : r.errors[0]).toEqual(expect.any(String));
  });
  it('rejects a table name that is ambiguous across schemas', () => {
    const two = parseCatalog({ tables: [
      { name: 'A.S.T', columns: [{ name: 'X', type: 'INT' }] },
      { name: 'B.S.T', columns: [{ name: 'X', type: 'INT' }] },
    ] });
    expect(validateSql('SELECT x FROM t', two).errors[0]).toMatch(/^ambiguous table t: matches A.S.T, B.S.T/);
    expect(validateSql('SELECT x FROM b.s.t', two).ok).toBe(true);
  });
});

describe('column resolution', () => {
  it('resolves table aliases and reports catalog columns', () => {
    const r = v('SELECT c.name, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id');
    expect(r.ok).toBe(true);
    expect(r.tables).toEqual(['SALES.PUBLIC.CUSTOMERS', 'SALES.PUBLIC.ORDERS']);
    expect(r.columns.sort()).toEqual(['SALES.PUBLIC.CUSTOMERS.ID', 'SALES.PUBLIC.CUSTOMERS.NAME', 'SALES.PUBLIC.ORDERS.AMOUNT', 'SALES.PUBLIC.ORDERS.CUSTOMER_ID']);
  });
  it('hides the table name once aliased (Snowflake rule)', () => {
    expect(v('SELECT orders.id FROM orders o').ok).toBe(false);
    expect(v('SELECT orders.id FROM orders').ok).toBe(true);
    expect(v('SELECT public.orders.id FROM sales.public.orders').ok).toBe(true);
  });
  it('resolves CTE names and their columns, and rejects columns a CTE does not expose', () => {
    expect(v('WITH t AS (SELECT customer_id AS cid FROM orders) SELECT cid FROM t').ok).toBe(true);
    expect(v('WITH t AS (SELECT customer_id AS cid FROM orders) SELECT amount FROM t').errors).toEqual(['unknown column amount (not in CTE t)']);
    expect(v('WITH t (a, b) AS (SELECT id, amount FROM orders) SELECT t.b FROM t').ok).toBe(true);
    expect(v('WITH t AS (SELECT * FROM orders) SELECT t.status FROM t').ok).toBe(true);
  });
  it('resolves a recursive CTE from its anchor columns', () => {
    expect(v('WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r').ok).toBe(true);
    expect(v('WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT m + 1 FROM r WHERE n < 5) SELECT n FROM r').errors).toEqual([
      'unknown column m (not in CTE r)',
    ]);
  });
  it('resolves subquery aliases', () => {
    expect(v('SELECT s.total FROM (SELECT SUM(amount) AS total FROM orders) s').ok).toBe(true);
    expect(v('SELECT s.amount FROM (SELECT SUM(amount) AS total FROM orders) s').errors).toEqual([
      'unknown column amount in subquery s (written s.amount)',
    ]);
  });
  it('accepts SELECT-list aliases in ORDER BY, GROUP BY, HAVING and QUALIFY', () => {
    expect(v('SELECT status AS st, COUNT(*) AS n FROM orders GROUP BY st HAVING n > 1 ORDER BY n').ok).toBe(true);
    expect(v('SELECT id, ROW_NUMBER() OVER (ORDER BY amount) AS rn FROM orders QUALIFY rn = 1').ok).toBe(true);
    expect(v('SELECT status AS st FROM orders ORDER BY nope').ok).toBe(false);
  });
  it('resolves correlated references to the outer query', () => {
    expect(v('SELECT c.id FROM customers c WHERE c.id IN (SELECT o.customer_id FROM orders o WHERE o.customer_id = c.id)').ok).toBe(true);
    expect(v('SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.zzz = c.id)').ok).toBe(false);
  });
  it('checks every branch of a set operation', () => {
    expect(v('SELECT id FROM customers UNION SELECT nope FROM orders').errors).toEqual(['unknown column nope (not in SALES.PUBLIC.ORDERS)']);
    expect(v('SELECT id FROM customers INTERSECT SELECT nope FROM orders').ok).toBe(false);
  });
  it('resolves PIVOT and UNPIVOT inputs against their source and exposes their outputs', () => {
    expect(v("SELECT p.customer_id, p.\"'shipped'\" FROM orders PIVOT (SUM(amount) FOR status IN ('shipped')) AS p").ok).toBe(true);
    expect(v("SELECT * FROM orders PIVOT (SUM(nope) FOR status IN ('a')) AS p").errors).toEqual(['unknown column nope (not in SALES.PUBLIC.ORDERS)']);
    expect(v("SELECT p.amount FROM orders PIVOT (SUM(amount) FOR status IN ('x')) AS p").ok).toBe(false);
    expect(v('SELECT u.k, u.v FROM orders UNPIVOT (v FOR k IN (amount, id)) AS u').ok).toBe(true);
    expect(v('SELECT u.amount FROM orders UNPIVOT (v FOR k IN (amount, id)) AS u').ok).toBe(false);
  });
  it('treats FLATTEN output columns as known and bare date parts as keywords', () => {
    expect(v('SELECT f.value, f.index FROM orders o, LATERAL FLATTEN(input => o.items) f').ok).toBe(true);
    expect(v('SELECT f.nope FROM orders o, LATERAL FLATTEN(input => o.items) f').ok).toBe(false);
    expect(v('SELECT x.value FROM orders, LATERAL FLATTEN(orders.items) x').ok).toBe(true);
    expect(v('SELECT x.value FROM orders, LATERAL FLATTEN(orders.nope) x').ok).toBe(false);
    expect(v('SELECT DATEADD(day, 1, ordered_at) FROM orders').ok).toBe(true);
    expect(v('SELECT DATEADD(nope, 1, ordered_at) FROM orders').ok).toBe(false);
  });
});

describe('quoted identifiers', () => {
  it('matches quoted names case-sensitively and unquoted names case-insensitively', () => {
    expect(v('SELECT "Signup Date" FROM customers').ok).toBe(true);
    expect(v('SELECT "signup date" FROM customers').ok).toBe(false);
    expect(v('SELECT "email" FROM customers').ok).toBe(true);
    expect(v('SELECT "EMAIL" FROM customers').errors).toEqual(['unknown column "EMAIL" (not in SALES.PUBLIC.CUSTOMERS)']);
    expect(v('SELECT EMAIL, email FROM customers').ok).toBe(true);
    expect(v('SELECT "NAME" FROM "SALES"."PUBLIC"."CUSTOMERS"').ok).toBe(true);
    expect(v('SELECT "NAME" FROM "sales"."public"."customers"').errors[0]).toMatch(/^unknown table "sales"\."public"\."customers"/);
  });
  it('keeps a quoted keyword usable as a name', () => {
    const cat = parseCatalog({ tables: [{ name: 'T', columns: [{ name: 'order', type: 'INT' }, { name: 'delete', type: 'INT' }] }] });
    expect(validateSql('SELECT "order", "delete" FROM t', cat).ok).toBe(true);
    expect(validateSql('SELECT delete FROM t', cat).ok).toBe(false);
  });
});

describe('LIMIT injection and capping', () => {
  // Fully qualified inputs keep these expectations about the LIMIT only (qualification is tested below).
  const O = 'sales.public.orders';
  it('appends a LIMIT when absent, dropping a trailing semicolon', () => {
    expect(v(`SELECT id FROM ${O};`, 50).sql).toBe(`SELECT id FROM ${O} LIMIT 50`);
    expect(v(`SELECT id FROM ${O}  ;  \n`, 50).sql).toBe(`SELECT id FROM ${O} LIMIT 50`);
  });
  it('caps a LIMIT above the maximum and keeps one below it', () => {
    expect(v(`SELECT id FROM ${O} LIMIT 5000 OFFSET 10`, 100).sql).toBe(`SELECT id FROM ${O} LIMIT 100 OFFSET 10`);
    expect(v(`SELECT id FROM ${O} LIMIT 7`, 100).sql).toBe(`SELECT id FROM ${O} LIMIT 7`);
  });
  it('puts an injected LIMIT before a bare OFFSET', () => {
    expect(v(`SELECT id FROM ${O} ORDER BY id OFFSET 20`, 100).sql).toBe(`SELECT id FROM ${O} ORDER BY id LIMIT 100 OFFSET 20`);
  });
  it('caps TOP and does not double-limit', () => {
    expect(v(`SELECT TOP 500 id FROM ${O}`, 100).sql).toBe(`SELECT TOP 100 id FROM ${O}`);
  });
  it('bounds the outer query, not a subquery', () => {
    expect(v(`SELECT id FROM (SELECT id FROM ${O} LIMIT 5) t`, 100).sql).toBe(`SELECT id FROM (SELECT id FROM ${O} LIMIT 5) t LIMIT 100`);
    expect(v(`SELECT customer_id FROM ${O} UNION SELECT customer_id FROM ${O}`, 100).sql).toBe(
      `SELECT customer_id FROM ${O} UNION SELECT customer_id FROM ${O} LIMIT 100`,
    );
    expect(v(`WITH a AS (SELECT id FROM ${O} LIMIT 3) SELECT id FROM a LIMIT 2000`, 100).sql).toBe(
      `WITH a AS (SELECT id FROM ${O} LIMIT 3) SELECT id FROM a LIMIT 100`,
    );
  });
  it('returns no SQL when the statement is rejected', () => {
    expect(v('SELECT nope FROM orders').sql).toBeUndefined();
  });
});

describe('table qualification', () => {
  it('pins every catalog table to its full name, keeping what the query wrote', () => {
    expect(v('SELECT o.id FROM orders o JOIN public.customers c ON c.id = o.customer_id', 10).sql).toBe(
      'SELECT o.id FROM SALES.PUBLIC.orders o JOIN SALES.public.customers c ON c.id = o.customer_id LIMIT 10',
    );
    expect(v('SELECT "NAME" FROM "CUSTOMERS"', 10).sql).toBe('SELECT "NAME" FROM SALES.PUBLIC."CUSTOMERS" LIMIT 10');
  });
  it('qualifies tables in subqueries, set operations and CTE bodies but not CTE names', () => {
    expect(v('WITH c AS (SELECT id FROM customers) SELECT id FROM c WHERE id IN (SELECT customer_id FROM orders)', 10).sql).toBe(
      'WITH c AS (SELECT id FROM SALES.PUBLIC.customers) SELECT id FROM c WHERE id IN (SELECT customer_id FROM SALES.PUBLIC.orders) LIMIT 10',
    );
    expect(v('SELECT id FROM customers EXCEPT SELECT customer_id FROM orders', 10).sql).toBe(
      'SELECT id FROM SALES.PUBLIC.customers EXCEPT SELECT customer_id FROM SALES.PUBLIC.orders LIMIT 10',
    );
  });
  it('quotes catalog name parts that are not simple identifiers', () => {
    const cat = parseCatalog({ tables: [{ name: 'my-db.S.T', columns: [{ name: 'X', type: 'INT' }] }] });
    expect(validateSql('SELECT x FROM t', cat, { maxRows: 5 }).sql).toBe('SELECT x FROM "my-db".S.t LIMIT 5');
  });
});
