// The part of Kubernetes strategic-merge-patch semantics our overlays use: maps merge recursively,
// `null` deletes a key, lists of containers/env/volumes/… merge by their merge key, other lists
// are replaced. Directives (`$patch`, `$setElementOrder`, …) are rejected, not half-supported.
import { cloneJson, isRecord } from './kube-object.ts';

/** List fields that merge element-wise in the Kubernetes API, and the key elements are matched by. */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  topologySpreadConstraints: 'topologyKey',
  hostAliases: 'ip',
};

function mergeKeyOf(field: string, items: readonly unknown[]): string | undefined {
  if (field === 'ports') {
    // Container ports merge by containerPort, Service ports by port.
    return items.some((i) => isRecord(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

function mergeList(field: string, target: unknown[], patch: unknown[], where: string): unknown[] {
  const key = mergeKeyOf(field, [...target, ...patch]);
  if (key === undefined) return cloneJson(patch);
  const result = cloneJson(target);
  for (const item of patch) {
    if (!isRecord(item) || item[key] === undefined) throw new Error(`${where}.${field}: every patch element needs its merge key "${key}"`);
    const index = result.findIndex((t) => isRecord(t) && t[key] === item[key]);
    if (index === -1) result.push(cloneJson(item));
    else result[index] = mergeValue(result[index], item, `${where}.${field}[${key}=${String(item[key])}]`);
  }
  return result;
}

function mergeValue(target: unknown, patch: unknown, where: string): unknown {
  if (isRecord(target) && isRecord(patch)) return strategicMergeAt(target, patch, where);
  return cloneJson(patch);
}

function strategicMergeAt(target: Record<string, unknown>, patch: Record<string, unknown>, where: string): Record<string, unknown> {
  const result: Record<string, unknown> = cloneJson(target);
  for (const [field, value] of Object.entries(patch)) {
    if (field.startsWith('$')) throw new Error(`${where}: patch directive ${field} is not supported by deploy-check`);
    if (value === null) {
      delete result[field];
      continue;
    }
    const current = result[field];
    if (Array.isArray(current) && Array.isArray(value)) result[field] = mergeList(field, current, value, `${where}.${field}`);
    else result[field] = mergeValue(current, value, `${where}.${field}`);
  }
  return result;
}

/**
 * Applies a strategic merge patch to a copy of `target` (the inputs are not modified). `where`
 * names the patch in error messages.
 */
export function strategicMerge(target: Record<string, unknown>, patch: Record<string, unknown>, where = 'patch'): Record<string, unknown> {
  return strategicMergeAt(target, patch, where);
}
