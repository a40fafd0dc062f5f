// The classifier service alone in its process: `node apps/classifier/src/main.ts` (the same as
// SOPHIA_SERVICES=classifier under apps/mesh).
import { runServiceHost } from '@sophia/platform';
import { classifierModule } from './classifier-module.ts';

await runServiceHost({ registry: [classifierModule] });
