// Compares the flows the rendered NetworkPolicies allow with the intended call graph: a missing flow
// is an outage waiting for the first request, an extra one is a hole.
import { expectedFlows, SOPHIA_CALL_GRAPH, type CallGraph } from './call-graph.ts';
import { error, type Finding } from './finding.ts';
import type { KubeObject } from './kube-object.ts';
import { allowedFlows } from './network-flows.ts';

/** Findings for every flow allowed but not intended, or intended but not allowed. */
export function checkNetworkPolicy(objects: readonly KubeObject[], graph: CallGraph = SOPHIA_CALL_GRAPH): Finding[] {
  const findings: Finding[] = [];
  if (!objects.some((o) => o.kind === 'NetworkPolicy')) return [error('NetworkPolicy', 'netpol.default-deny', 'no NetworkPolicy in the render: every flow is open')];
  let allowed: Set<string>;
  try {
    allowed = allowedFlows(objects, [80, 443]);
  } catch (err) {
    return [error('NetworkPolicy', 'netpol.unsupported', (err as Error).message)];
  }
  const expected = expectedFlows(objects, graph);
  for (const f of [...expected].sort()) if (!allowed.has(f)) findings.push(error('NetworkPolicy', 'netpol.missing-flow', `intended flow is blocked: ${f}`));
  for (const f of [...allowed].sort()) if (!expected.has(f)) findings.push(error('NetworkPolicy', 'netpol.extra-flow', `flow outside the call graph is allowed: ${f}`));
  return findings;
}
