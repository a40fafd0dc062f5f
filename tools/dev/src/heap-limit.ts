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

/**
 * Young-generation semi-space of every process `npm start` runs, in MiB (V8's default here is 16).
 * Each request's garbage dies young, so a small nursery is collected often and cheaply: in a
 * 3-minute multi-process soak at 10 concurrent (session 7) peak RSS fell by 82–107 MiB per busy
 * service (router 303 → 199, ledger 321 → 204, gateway 256 → 149) for +4 % CPU per request
 * (7.24 → 7.52 ms, within the machine's noise; cpu-run, same run).
 */
export const SEMI_SPACE_MIB = 4;

/**
 * `nodeOptions` with `--max-old-space-size=<mib>` and `--max-semi-space-size=<SEMI_SPACE_MIB>`
 * added, each unless it already sets one (an operator's choice wins).
 */
export function withHeapLimit(nodeOptions: string | undefined, mib: number): string {
  const current = (nodeOptions ?? '').trim();
  const added = [
    /--max[-_]old[-_]space[-_]size\b/.test(current) ? '' : `--max-old-space-size=${mib}`,
    /--max[-_]semi[-_]space[-_]size\b/.test(current) ? '' : `--max-semi-space-size=${SEMI_SPACE_MIB}`,
  ];
  return [current, ...added].filter(Boolean).join(' ');
}
