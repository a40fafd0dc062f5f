/**
 * A deterministic value that conforms to a JSON Schema (the subset tool parameters and structured
 * outputs use: object/properties/required, array/items/minItems, enum/const, anyOf/oneOf, $ref to
 * $defs/definitions, string/number/integer/boolean/null with their bounds), so the simulator's tool
 * arguments and `json_schema` answers parse and validate on the client like a real model's.
 */

type Schema = Record<string, unknown>;

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function resolve(schema: Schema, root: Schema, depth: number): Schema {
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || depth > 16) return schema;
  const path = ref.replace(/^#\//, '').split('/').filter((p) => p !== '');
  let cur: unknown = root;
  for (const p of path) cur = isSchema(cur) ? cur[p.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return isSchema(cur) ? resolve(cur, root, depth + 1) : {};
}

function stringFor(schema: Schema, key: string, hint: string): string {
  const format = schema['format'];
  if (format === 'date') return '2026-12-05';
  if (format === 'date-time') return '2026-12-05T08:00:00Z';
  if (format === 'email') return 'sim@example.test';
  if (format === 'uri') return 'https://example.test/sim';
  let text = hint !== '' ? hint : `simulated ${key || 'value'}`;
  const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Number.POSITIVE_INFINITY;
  while (text.length < min) text += ' x';
  return text.slice(0, max);
}

function numberFor(schema: Schema, integer: boolean): number {
  const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : typeof schema['exclusiveMinimum'] === 'number' ? schema['exclusiveMinimum'] + 1 : undefined;
  const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : typeof schema['exclusiveMaximum'] === 'number' ? schema['exclusiveMaximum'] - 1 : undefined;
  let n = 42;
  if (min !== undefined && n < min) n = min;
  if (max !== undefined && n > max) n = max;
  return integer ? Math.ceil(n) : n;
}

/** A value for `schema`; `hint` (e.g. the user's words) fills free-text strings. */
export function sampleSchema(schema: unknown, hint = '', key = '', root: unknown = schema, depth = 0): unknown {
  if (!isSchema(schema) || depth > 12) return null;
  const s = resolve(schema, isSchema(root) ? root : {}, 0);
  if ('const' in s) return s['const'];
  if (Array.isArray(s['enum']) && s['enum'].length > 0) return s['enum'][0];
  for (const union of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = s[union];
    if (Array.isArray(list) && list.length > 0) {
      const pick = list.find((o) => !(isSchema(o) && o['type'] === 'null')) ?? list[0];
      return sampleSchema(pick, hint, key, root, depth + 1);
    }
  }
  let type = s['type'];
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
  if (type === undefined) type = isSchema(s['properties']) ? 'object' : s['items'] !== undefined ? 'array' : 'string';
  switch (type) {
    case 'object': {
      const props = isSchema(s['properties']) ? s['properties'] : {};
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sampleSchema(v, hint, k, root, depth + 1)]));
    }
    case 'array': {
      const count = Math.max(1, typeof s['minItems'] === 'number' ? s['minItems'] : 1);
      return Array.from({ length: count }, () => sampleSchema(s['items'], hint, key, root, depth + 1));
    }
    case 'integer':
      return numberFor(s, true);
    case 'number':
      return numberFor(s, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return stringFor(s, key, hint);
  }
}
