// Ledger process entry point: `node apps/ledger/src/main.ts` (configuration in README.md).
import { runService } from '@sophia/platform';
import { LEDGER_DEFAULT_PORT, LEDGER_PORT_KEY, ledgerConfigSchema } from './ledger-config.ts';
import { startLedger } from './start-ledger.ts';

await runService({
  name: 'ledger',
  configSchema: ledgerConfigSchema,
  portKey: LEDGER_PORT_KEY,
  defaultPort: LEDGER_DEFAULT_PORT,
  start: ({ config, logger, metrics }) => startLedger({ config, logger, metrics }),
});
