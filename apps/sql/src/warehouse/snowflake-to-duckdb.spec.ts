import { DialectError, snowflakeToDuckDb } from './snowflake-to-duckdb.ts';

describe('snowflakeToDuckDb', () => {
  it('rewrites IFF, DATEADD and DATEDIFF (also nested, any part spelling)', () => {
    expect(snowflakeToDuckDb("SELECT IFF(a > 1, 'x', 'y') FROM t")).toBe("SELECT IF(a > 1, 'x', 'y') FROM t");
    expect(snowflakeToDuckDb('SELECT DATEADD(day, -7, CURRENT_DATE)')).toBe('SELECT (CURRENT_DATE + INTERVAL (-7) DAY)');
    expect(snowflakeToDuckDb("SELECT DATEDIFF('months', a, b)")).toBe("SELECT DATE_DIFF('month', a, b)");
    expect(snowflakeToDuckDb('SELECT DATEDIFF(dd, DATEADD(mm, 1, x), IFF(c, y, z))')).toBe("SELECT DATE_DIFF('day', (x + INTERVAL (1) MONTH), IF(c, y, z))");
  });
  it('leaves strings, quoted names, columns called like functions and :: casts alone', () => {
    const sql = `SELECT 'IFF(a,b,c)', "DATEADD", t.iff, x::date FROM t`;
    expect(snowflakeToDuckDb(sql)).toBe(sql);
  });
  it('names what it cannot translate', () => {
    expect(() => snowflakeToDuckDb('SELECT DATEADD(fortnight, 1, x)')).toThrow(new DialectError('DATEADD: unsupported date part fortnight'));
    expect(() => snowflakeToDuckDb('SELECT DATEDIFF(day, x)')).toThrow(/DATEDIFF takes 3 arguments, got 2/);
  });
});
