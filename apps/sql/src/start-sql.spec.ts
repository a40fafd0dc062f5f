import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig, baseConfigSchema } from '@sophia/platform';
import { sqlConfigProblems, sqlConfigSchema } from './sql-config.ts';
import { startSql } from './start-sql.ts';
import { scratchDir } from '@sophia/platform/testing';

const logger = createLogger({ service: 'sql-test', level: 'silent' });
const parse = (env: Record<string, string>) => loadConfig(baseConfigSchema.extend(sqlConfigSchema.shape), { env });

describe('startSql', () => {
  it('starts on in-memory DuckDB with the bundled models and demo data', async () => {
    const started = await startSql({ config: parse({}), logger });
    expect(started.services.map((s) => s.service.typeName)).toEqual(['sophia.sql.v1.SqlService']);
    await started.close?.();
  });
  it('refuses inconsistent limits and incomplete Snowflake settings, naming the keys', async () => {
    expect(sqlConfigProblems(parse({ SOPHIA_SQL_ROW_LIMIT: '50', SOPHIA_SQL_MAX_ROW_LIMIT: '10' }))).toEqual(['SOPHIA_SQL_ROW_LIMIT: must not exceed SOPHIA_SQL_MAX_ROW_LIMIT']);
    const sf = sqlConfigProblems(parse({ SOPHIA_SQL_WAREHOUSE: 'snowflake', SNOWFLAKE_ACCOUNT: 'a' }));
    expect(sf).toContain('SNOWFLAKE_PRIVATE_KEY_PATH: required when SOPHIA_SQL_WAREHOUSE=snowflake');
    await expect(startSql({ config: parse({ SOPHIA_SQL_WAREHOUSE: 'snowflake' }), logger })).rejects.toThrow(/^invalid configuration: SNOWFLAKE_ACCOUNT: required/);
  });
  it('refuses a model whose verified query does not validate', async () => {
    const path = join(scratchDir('sql-model-'), 'bad.yaml');
    writeFileSync(path, 'name: m\ntables:\n  - { name: t, base_table: T, columns: { a: INTEGER } }\nverified_queries:\n  - { name: q, question: "how many?", sql: "SELECT b FROM T" }\n');
    await expect(startSql({ config: parse({ SOPHIA_SQL_MODELS: path, SOPHIA_SQL_DEMO_DATA: 'false' }), logger })).rejects.toThrow(/semantic model m: verified query q is rejected by the validator: unknown column b/);
  });
  it('names a bad semantic model file', async () => {
    await expect(startSql({ config: parse({ SOPHIA_SQL_MODELS: '/nonexistent/model.yaml' }), logger })).rejects.toThrow(/\/nonexistent\/model.yaml/);
  });
});
