// The RPCs that change how the mesh behaves for everyone (routing overrides, budgets, GPU
// instances): one list, so the policy is audited in one place. Served only to callers presenting
// SOPHIA_MESH_ADMIN_TOKEN when it is configured — not merely to whoever can reach the port.

/** gRPC paths (`/package.Service/Method`) of admin RPCs. */
export const ADMIN_METHODS: ReadonlySet<string> = new Set([
  '/sophia.router.v1.RouterService/SetOverride',
  '/sophia.router.v1.RouterService/ClearOverride',
  '/sophia.ledger.v1.LedgerService/SetBudget',
  '/sophia.inference.v1.FleetService/LaunchGpuInstance',
  '/sophia.inference.v1.FleetService/TerminateGpuInstance',
]);
