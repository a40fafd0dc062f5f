import type { ChaosMesh } from './chaos-mesh.ts';

/**
 * The sum of one Prometheus metric's samples over every /metrics page of the mesh (each process's
 * in multi-process, the one page in single-process): how a row reads what the mesh itself counted.
 */
export async function meshMetricSum(chaos: ChaosMesh, name: string): Promise<number> {
  const urls = new Set(Object.values(chaos.mesh.services).flatMap((s) => (typeof s.ready['metrics'] === 'string' ? [s.ready['metrics']] : [])));
  const pages = await Promise.all([...urls].map(async (u) => (await fetch(u)).text()));
  const sample = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
  let sum = 0;
  for (const page of pages) for (const m of page.matchAll(sample)) sum += Number(m[1]);
  return sum;
}
