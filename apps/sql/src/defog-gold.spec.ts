import { expandDefogGold, parseCsv } from './defog-gold.ts';
import { sqliteToSnowflakeLiterals } from './sqlite-literals.ts';

describe('measurement helpers', () => {
  it('parses quoted CSV fields with commas, quotes and newlines', () => {
    expect(parseCsv('a,b\n"x, ""y""","l1\nl2"\n')).toEqual([['a', 'b'], ['x, "y"', 'l1\nl2']]);
  });
  it('expands defog column-set braces and splits alternative answers', () => {
    expect(expandDefogGold('SELECT {a.x, a.y}, COUNT(*) FROM a GROUP BY {};')).toEqual(['SELECT a.x, a.y, COUNT(*) FROM a GROUP BY a.x, a.y']);
    expect(expandDefogGold('SELECT 1;SELECT 2;')).toEqual(['SELECT 1', 'SELECT 2']);
  });
  it('turns SQLite double-quoted literals into strings unless they name a catalog object', () => {
    const catalog = { tables: [{ name: 't', columns: [{ name: 'Home Town', type: 'text' }] }] };
    expect(sqliteToSnowflakeLiterals('SELECT "Home Town" FROM t WHERE x = "APG"', catalog)).toBe(
      `SELECT "Home Town" FROM t WHERE x = 'APG'`,
    );
  });
});
