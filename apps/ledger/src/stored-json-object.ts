// The first step of decoding what a store holds as JSON text (usage events, usage summaries): the
// text must be a JSON object; anything else is reported through the caller's `fail`, which names
// the key or row, so a damaged value is named, never misread.

/**
 * Parses `json` as a JSON object.
 * @throws whatever `fail('not JSON' | 'not an object')` throws
 */
export function parseStoredObject(json: string, fail: (what: string) => never): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return fail('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not an object');
  return value as Record<string, unknown>;
}
