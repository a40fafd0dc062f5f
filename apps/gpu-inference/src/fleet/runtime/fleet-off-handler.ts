// FleetService when no cloud is configured: the operator API still answers, saying the fleet is off.
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { FleetMode, type FleetService } from '@sophia/contracts/fleet';

const off = (): never => {
  throw new ConnectError('the GPU fleet is off: no Lambda Cloud API key (SOPHIA_LAMBDA_API_KEY or SOPHIA_LAMBDA_API_KEY_FILE)', Code.FailedPrecondition);
};

/** FleetService that lists nothing and refuses launches and terminations. */
export function createFleetOffHandler(): ServiceImpl<typeof FleetService> {
  return {
    listGpuInstances: () => ({ mode: FleetMode.OFF, instances: [], pools: [], maxInstances: 0, maxMicroUsdPerHour: 0n, orphanInstanceIds: [] }),
    launchGpuInstance: off,
    terminateGpuInstance: off,
    listFleetActions: () => ({ actions: [] }),
  };
}
