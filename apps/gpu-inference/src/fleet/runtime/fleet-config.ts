// The fleet's configuration keys (merged into gpu-inference's schema, parsed once at start).
import { configValues } from '@sophia/platform';
import { z } from 'zod';

/** Keys of the GPU fleet; see docs/configuration.md. */
export const fleetConfigShape = {
  /** `plan` (default): decide and report only; `auto`: launch and terminate. */
  SOPHIA_GPU_FLEET: z.enum(['plan', 'auto']).default('plan'),
  /** Lambda Cloud API root (the simulator's URL under npm start). */
  SOPHIA_LAMBDA_API_URL: z.url({ protocol: /^https?$/ }).default('https://cloud.lambda.ai'),
  SOPHIA_LAMBDA_API_KEY: z.string().min(1).optional(),
  SOPHIA_LAMBDA_API_KEY_FILE: z.string().min(1).optional(),
  /** Autoscaling policy file; unset = apps/gpu-inference/fleet-policy/default.yaml. Reloaded on change. */
  SOPHIA_GPU_FLEET_POLICY_PATH: z.string().min(1).optional(),
  /** Hard caps over the policy's. */
  SOPHIA_GPU_MAX_HOURLY_USD: z.coerce.number().nonnegative().optional(),
  SOPHIA_GPU_MAX_INSTANCES: z.coerce.number().int().nonnegative().optional(),
  /** Time between controller ticks. */
  SOPHIA_GPU_FLEET_INTERVAL_MS: configValues.durationMs(15_000),
  /** The SSH key name launches install (Lambda requires exactly one). */
  SOPHIA_GPU_FLEET_SSH_KEY: z.string().min(1).default('sophia-fleet'),
  /** Longest a request waits for capacity that is booting (its own deadline may end it sooner). */
  SOPHIA_GPU_FLEET_BOOT_WAIT_MS: configValues.durationMs(120_000),
};
