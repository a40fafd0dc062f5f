// The ledger alone in its process: `node apps/ledger/src/main.ts` (the same as SOPHIA_SERVICES=ledger
// under apps/mesh; configuration in README.md).
import { runServiceHost } from '@sophia/platform';
import { ledgerModule } from './ledger-module.ts';

await runServiceHost({ registry: [ledgerModule] });
