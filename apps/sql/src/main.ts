// The SQL service alone in its process: `node apps/sql/src/main.ts` (the same as SOPHIA_SERVICES=sql
// under apps/mesh; configuration in README.md).
import { runServiceHost } from '@sophia/platform';
import { sqlModule } from './sql-module.ts';

await runServiceHost({ registry: [sqlModule] });
