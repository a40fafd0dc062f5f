// The memory row's instrument: what a mesh process holds once garbage is collected. RSS under load is
// mostly V8's choice of heap size (it lets garbage pile up to its limit between full collections),
// so "RSS where it was" is compared after a full collection in each process, forced through the
// process's own inspector (NODE_OPTIONS=--inspect=127.0.0.1:0 in the memory row only; the port it
// picked is on its "Debugger listening on ws://…" line).
import { readFileSync } from 'node:fs';

/** One process's memory after a full garbage collection. */
export interface CollectedMemory {
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  /** Memory outside the V8 heap that JavaScript objects own (Buffers, ArrayBuffers, native handles). */
  readonly externalMiB: number;
}

const MIB = 1024 * 1024;

/** The inspector URL each process printed, by process name (the last line wins: a restart prints a new one). */
export function inspectorUrls(logs: readonly string[]): ReadonlyMap<string, string> {
  const urls = new Map<string, string>();
  for (const line of logs) {
    const match = /^([^|]+)\| Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(line);
    if (match) urls.set(match[1]!, match[2]!);
  }
  return urls;
}

/** Resident set size of `pid` from /proc, in MiB. */
export function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/**
 * Forces a full collection in the process behind `url` (HeapProfiler.collectGarbage: V8's
 * collect-all-available-garbage, which also returns free pages), then reads its heap in use and its RSS.
 */
export async function collectAndMeasure(url: string, pid: number): Promise<CollectedMemory> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`inspector at ${url} refused the connection`)), { once: true });
  });
  let nextId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return;
    pending.get(message.id)?.(message.error ? new Error(message.error.message) : message.result);
  });
  const send = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, (result) => (result instanceof Error ? reject(result) : resolve(result)));
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await send('HeapProfiler.collectGarbage');
    const evaluated = (await send('Runtime.evaluate', { expression: 'process.memoryUsage()', returnByValue: true })) as { result: { value: NodeJS.MemoryUsage } };
    const usage = evaluated.result.value;
    return { rssMiB: rssMiB(pid), heapUsedMiB: usage.heapUsed / MIB, externalMiB: usage.external / MIB };
  } finally {
    socket.close();
  }
}
