import { defineHostedService } from '@sophia/platform';
import { ledgerConfigSchema } from './ledger-config.ts';
import { startLedger } from './start-ledger.ts';

/** The ledger for a host: {@link startLedger} with the host's config, logger and metrics. */
export const ledgerService = defineHostedService(ledgerConfigSchema, ({ config, logger, metrics }) => startLedger({ config, logger, metrics }));
