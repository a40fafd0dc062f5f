import type { ServiceModule } from '@sophia/platform';
import { LEDGER_DEFAULT_PORT, LEDGER_PORT_KEY } from './ledger-config.ts';

/** The ledger's registration in the hosting model: it calls no other service. */
export const ledgerModule: ServiceModule = {
  name: 'ledger',
  portKey: LEDGER_PORT_KEY,
  defaultPort: LEDGER_DEFAULT_PORT,
  dependsOn: {},
  load: async () => (await import('./ledger-service.ts')).ledgerService,
};
