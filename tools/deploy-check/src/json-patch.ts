// RFC 6902 JSON Patch (add, remove, replace, test), the form kustomize `patches` take when the patch
// is a YAML list. move/copy are rejected: our overlays do not need them.
import { cloneJson, isRecord } from './kube-object.ts';

/** One JSON Patch operation as written in a kustomization. */
export interface JsonPatchOperation {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
}

function parsePointer(pointer: string, where: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`${where}: path "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function containerAt(doc: unknown, steps: readonly string[], where: string, path: string): unknown {
  let current = doc;
  for (const step of steps) {
    if (Array.isArray(current)) current = current[Number(step)];
    else if (isRecord(current)) current = current[step];
    else current = undefined;
    if (current === undefined) throw new Error(`${where}: path ${path} does not exist (no "${step}")`);
  }
  return current;
}

function applyOne(doc: unknown, operation: JsonPatchOperation, where: string): unknown {
  const steps = parsePointer(operation.path, where);
  const last = steps.pop();
  if (last === undefined) {
    if (operation.op === 'replace' || operation.op === 'add') return cloneJson(operation.value);
    throw new Error(`${where}: ${operation.op} on the document root is not supported`);
  }
  const parent = containerAt(doc, steps, where, operation.path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`${where}: bad list index "${last}" in ${operation.path}`);
    if (operation.op === 'add') parent.splice(index, 0, cloneJson(operation.value));
    else if (index >= parent.length) throw new Error(`${where}: path ${operation.path} does not exist`);
    else if (operation.op === 'replace') parent[index] = cloneJson(operation.value);
    else if (operation.op === 'remove') parent.splice(index, 1);
    else if (operation.op === 'test') testEqual(parent[index], operation, where);
    else throw new Error(`${where}: op "${operation.op}" is not supported`);
    return doc;
  }
  if (!isRecord(parent)) throw new Error(`${where}: path ${operation.path} does not exist`);
  if (operation.op === 'add') parent[last] = cloneJson(operation.value);
  else if (!(last in parent)) throw new Error(`${where}: path ${operation.path} does not exist`);
  else if (operation.op === 'replace') parent[last] = cloneJson(operation.value);
  else if (operation.op === 'remove') delete parent[last];
  else if (operation.op === 'test') testEqual(parent[last], operation, where);
  else throw new Error(`${where}: op "${operation.op}" is not supported`);
  return doc;
}

function testEqual(actual: unknown, operation: JsonPatchOperation, where: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(operation.value)) throw new Error(`${where}: test failed at ${operation.path}`);
}

/** Validates a parsed YAML list as JSON Patch operations, naming the bad element. */
export function toJsonPatch(value: unknown, where: string): JsonPatchOperation[] {
  if (!Array.isArray(value)) throw new Error(`${where}: a JSON patch must be a list of operations`);
  return value.map((item, i) => {
    if (!isRecord(item) || typeof item['op'] !== 'string' || typeof item['path'] !== 'string') {
      throw new Error(`${where}[${i}]: each operation needs string "op" and "path"`);
    }
    if ((item['op'] === 'add' || item['op'] === 'replace' || item['op'] === 'test') && !('value' in item)) {
      throw new Error(`${where}[${i}]: "${item['op']}" needs a value`);
    }
    return { op: item['op'], path: item['path'], value: item['value'] };
  });
}

/** Applies operations in order to a copy of `doc`; throws naming the failing path. */
export function applyJsonPatch<T>(doc: T, operations: readonly JsonPatchOperation[], where = 'patch'): T {
  let result: unknown = cloneJson(doc);
  for (const operation of operations) result = applyOne(result, operation, where);
  return result as T;
}
