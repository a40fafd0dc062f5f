import type { ServiceModule } from '@sophia/platform';
import { SQL_DEFAULT_PORT, SQL_PORT_KEY } from './sql-config.ts';

/** The SQL service's registration in the hosting model: the router is its (optional) LLM path, the ledger its usage data. */
export const sqlModule: ServiceModule = {
  name: 'sql',
  portKey: SQL_PORT_KEY,
  defaultPort: SQL_DEFAULT_PORT,
  dependsOn: { router: 'optional', ledger: 'optional' },
  load: async () => (await import('./sql-service.ts')).sqlService,
};
