// SQL service process entry point: `node apps/sql/src/main.ts` (configuration in README.md).
import { runService } from '@sophia/platform';
import { SQL_DEFAULT_PORT, SQL_PORT_KEY, sqlConfigSchema } from './sql-config.ts';
import { startSql } from './start-sql.ts';

await runService({
  name: 'sql',
  configSchema: sqlConfigSchema,
  portKey: SQL_PORT_KEY,
  defaultPort: SQL_DEFAULT_PORT,
  start: ({ config, logger, metrics }) => startSql({ config, logger, metrics }),
});
