import { createLogger, loadConfig, baseConfigSchema } from '@sophia/platform';
import { sqlConfigProblems, sqlConfigSchema } from './sql-config.ts';
import { startSql } from './start-sql.ts';

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
  it('names a bad semantic model file', async () => {
    await expect(startSql({ config: parse({ SOPHIA_SQL_MODELS: '/nonexistent/model.yaml' }), logger })).rejects.toThrow(/\/nonexistent\/model.yaml/);
  });
});
