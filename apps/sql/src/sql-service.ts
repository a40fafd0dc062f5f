import { LedgerService } from '@sophia/contracts/ledger';
import { RouterService } from '@sophia/contracts/router';
import { defineHostedService } from '@sophia/platform';
import { sqlConfigSchema } from './sql-config.ts';
import { startSql } from './start-sql.ts';

/** The SQL service for a host: {@link startSql} with the host's router and ledger clients. */
export const sqlService = defineHostedService(sqlConfigSchema, ({ config, logger, metrics, connect }) =>
  startSql({ config, logger, metrics, router: connect(RouterService, 'router'), ledger: connect(LedgerService, 'ledger') }),
);
