import snowflakeBuild from 'node-sql-parser/build/snowflake.js';
import { type Parser as ParserType } from 'node-sql-parser';

/** The parser output the validator consumes: AST (nodes carry `loc` offsets) plus the parser's table list. */
export interface ParsedSql {
  readonly ast: unknown;
  readonly tableList: readonly string[];
}

type ParserCtor = new () => ParserType;

// The snowflake-only build is a CommonJS webpack bundle; native ESM exposes it as the default export,
// the Jest (SWC → CommonJS) interop may expose it directly. Accept either shape.
function parserCtor(): ParserCtor {
  const mod = snowflakeBuild as unknown as { Parser?: ParserCtor; default?: { Parser?: ParserCtor } };
  const ctor = mod.Parser ?? mod.default?.Parser;
  if (!ctor) throw new Error('node-sql-parser snowflake build exposes no Parser');
  return ctor;
}

let parser: ParserType | undefined;

/**
 * Parses one Snowflake statement with node-sql-parser's snowflake grammar. Exists to keep the
 * parser dependency (and its loose typing) behind one function; a parse error throws.
 */
export function parseSnowflake(text: string): ParsedSql {
  parser ??= new (parserCtor())();
  const out = parser.parse(text, { database: 'snowflake', parseOptions: { includeLocations: true } });
  return { ast: out.ast, tableList: out.tableList };
}
