// V8 sizes a process's heap from the machine's memory (about a quarter of it, up to 4 GiB) and,
// with that much room, lets garbage pile up between full collections: under steady load the mesh's
// RSS climbed for minutes while its live heap after a full GC stayed flat (85 → 86 MiB for all
// services in one process, heap snapshots 3 minutes apart; docs/operations.md, "Memory"). `npm start`
// therefore gives each process it runs an old-space limit of about three times its live heap; a
// limit already in the operator's NODE_OPTIONS wins. Not tighter: at 192 MiB (2.2× the live heap)
// V8 ran full collections back to back (38 s of 150 s, 5× the CPU per request).

/** Old-space limit of the single-process mesh (every service; live heap ≈ 86 MiB under load). */
export const SINGLE_PROCESS_HEAP_MIB = 256;
/** Old-space limit of a process hosting one service, or of the MCP server (live heaps ≈ 40–60 MiB). */
export const ONE_SERVICE_HEAP_MIB = 192;

/** `nodeOptions` with `--max-old-space-size=<mib>` added, unless it already sets one. */
export function withHeapLimit(nodeOptions: string | undefined, mib: number): string {
  const current = (nodeOptions ?? '').trim();
  if (/--max[-_]old[-_]space[-_]size\b/.test(current)) return current;
  return [current, `--max-old-space-size=${mib}`].filter(Boolean).join(' ');
}
