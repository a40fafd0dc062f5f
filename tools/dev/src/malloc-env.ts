// glibc's malloc serves a block of 128 KiB or more with its own mmap, returned to the system when freed
// — but each such free raises that threshold to the block's size (up to 32 MiB), so from then on
// request bodies and prompts of ~100 KB come from the heap arenas, whose freed holes the process keeps.
// Under 100 KB prompts the multi-process gateway's RSS after a full GC rose 165 → 197 MiB over 2,000
// requests with a flat JavaScript heap and flat buffers; with the threshold fixed at 64 KiB it stayed
// 157 → 155 (chaos memory row, docs/operations.md "Memory"). A value already in the env wins.

/** The env var glibc reads (a fixed value also turns off the dynamic threshold). */
export const MMAP_THRESHOLD_KEY = 'MALLOC_MMAP_THRESHOLD_';
/** Blocks of 64 KiB and more are mapped on their own and unmapped when freed. */
export const MMAP_THRESHOLD_BYTES = 64 * 1024;

/** The glibc malloc setting every mesh process gets, unless `env` sets it already. */
export function mallocEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return env[MMAP_THRESHOLD_KEY] === undefined ? { [MMAP_THRESHOLD_KEY]: String(MMAP_THRESHOLD_BYTES) } : {};
}
