/**
 * Polls `read` until `done` holds — the mesh settles asynchronously (the ledger records after the
 * answer) — and fails naming what never happened and the last value. Bounded by attempts, not by a
 * latency budget.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, attempts = 100): Promise<T> {
  let value = await read();
  for (let i = 0; i < attempts && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  if (!done(value)) throw new Error(`${what}: still ${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
  return value;
}
