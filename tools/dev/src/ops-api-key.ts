const SCOPE = '(?:chat|ops:read|ops:write|admin)';
const ENTRY = new RegExp(`^(.+?):[A-Za-z0-9._-]{1,64}:(${SCOPE}(?:\\+${SCOPE})*)$`);

/**
 * The first key of a `SOPHIA_API_KEYS` value (`key:tenant[:scope+scope],…`) whose scopes allow the
 * operator API (`ops:read`, `ops:write` or `admin`), so `npm start` prints the ops curl and MCP
 * snippet with a key that works; undefined when no key has such a scope (a key without a scope
 * list is `chat` only). The gateway validates the value itself; this only picks a key to show.
 */
export function firstOpsApiKey(spec: string): string | undefined {
  for (const entry of spec.split(',').map((s) => s.trim())) {
    const m = ENTRY.exec(entry);
    if (m && m[2]!.split('+').some((s) => s !== 'chat')) return m[1];
  }
  return undefined;
}
