import { significantTokens, SqlTokenizeError, tokenizeSql, TokenKind } from './sql-tokenizer.ts';

const kinds = (sql: string) => significantTokens(tokenizeSql(sql)).map((t) => [t.kind, t.value]);

describe('tokenizeSql', () => {
  it('keeps semicolons and keywords inside strings and quoted identifiers', () => {
    expect(kinds(`SELECT 'a;DROP' AS "x;y"`)).toEqual([
      [TokenKind.Word, 'SELECT'],
      [TokenKind.String, 'a;DROP'],
      [TokenKind.Word, 'AS'],
      [TokenKind.QuotedIdent, 'x;y'],
    ]);
  });
  it('follows Snowflake escapes: doubled quotes and backslashes', () => {
    expect(kinds(`'it''s' 'a\\'b' "a""b"`)).toEqual([
      [TokenKind.String, "it's"],
      [TokenKind.String, "a'b"],
      [TokenKind.QuotedIdent, 'a"b'],
    ]);
  });
  it('recognises the three comment forms, $$ strings, variables and operators', () => {
    const toks = tokenizeSql("a -- c\n// d\n/* e */ $$x$$ $1 $v :: => .5");
    expect(toks.filter((t) => t.kind === TokenKind.Comment)).toHaveLength(3);
    expect(significantTokens(toks).map((t) => t.kind)).toEqual([
      TokenKind.Word, TokenKind.DollarString, TokenKind.Variable, TokenKind.Variable, TokenKind.Operator, TokenKind.Operator, TokenKind.Number,
    ]);
  });
  it('rejects unterminated constructs with the offset', () => {
    expect(() => tokenizeSql("SELECT 'x")).toThrow(new SqlTokenizeError('unterminated string literal starting at offset 7'));
    expect(() => tokenizeSql('SELECT /* x')).toThrow(SqlTokenizeError);
    expect(() => tokenizeSql('SELECT "x')).toThrow(SqlTokenizeError);
    expect(() => tokenizeSql('SELECT ""')).toThrow(SqlTokenizeError);
  });
});
