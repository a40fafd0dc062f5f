// The serverless-inference service alone in its process: `node apps/serverless-inference/src/main.ts` (the same as
// SOPHIA_SERVICES=serverless-inference under apps/mesh).
import { runServiceHost } from '@sophia/platform';
import { serverlessInferenceModule } from './serverless-inference-module.ts';

await runServiceHost({ registry: [serverlessInferenceModule] });
