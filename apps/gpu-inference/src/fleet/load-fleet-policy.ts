// Loads the fleet policy file, or the one bundled with gpu-inference (fleet-policy/default.yaml).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFleetPolicy, type FleetPolicy } from './fleet-policy.ts';

/** Path of the bundled default policy. */
export const DEFAULT_FLEET_POLICY_PATH = fileURLToPath(new URL('../../fleet-policy/default.yaml', import.meta.url));

/** Reads and validates a policy file. @throws FleetPolicyError, or the fs error when unreadable */
export function loadFleetPolicy(path: string = DEFAULT_FLEET_POLICY_PATH): FleetPolicy {
  return parseFleetPolicy(readFileSync(path, 'utf8'), path);
}
