// The gpu-inference service alone in its process: `node apps/gpu-inference/src/main.ts` (the same as
// SOPHIA_SERVICES=gpu-inference under apps/mesh).
import { runServiceHost } from '@sophia/platform';
import { gpuInferenceModule } from './gpu-inference-module.ts';

await runServiceHost({ registry: [gpuInferenceModule] });
