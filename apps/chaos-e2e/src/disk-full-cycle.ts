// The disk-full chaos scenarios' common middle: with a steady load running, fill a small filesystem,
// hold it full until enough requests were refused for long enough, free it, and wait until the mesh
// serves again by itself — returning when each step happened, for the scorecard and the audit.
import { until } from './chaos-mesh.ts';
import type { SmallFilesystem } from './small-filesystem.ts';
import { describeStatuses, type LoadCall } from './steady-load.ts';

/** When each step of the cycle happened (epoch ms) and how much the filler took. */
export interface DiskFullCycle {
  readonly fillerBytes: number;
  readonly filledAt: number;
  readonly freedAt: number;
  /** When the first 200 after freeing completed. */
  readonly recoveredAt: number;
}

/** Options of {@link runDiskFullCycle}. */
export interface DiskFullCycleOptions {
  readonly fs: SmallFilesystem;
  readonly calls: () => readonly LoadCall[];
  /** Refusals to see while full before freeing. */
  readonly refusals: number;
  /** How long the disk stays full at least. */
  readonly fullMs: number;
  /** Answers 200 to see after freeing. */
  readonly servedAfter: number;
  readonly note: (text: string) => void;
}

/** Fills, holds, frees and waits for service again (see the file comment). */
export async function runDiskFullCycle(options: DiskFullCycleOptions): Promise<DiskFullCycle> {
  const { fs, calls, note } = options;
  const filledAt = Date.now();
  const fillerBytes = fs.fill();
  note(`filled with ${fillerBytes} bytes`);
  const refused = (): LoadCall[] => calls().filter((c) => c.startedAt >= filledAt && c.status !== 200);
  await until(() => (refused().length >= options.refusals && Date.now() - filledAt >= options.fullMs ? true : undefined));
  const freedAt = Date.now();
  note(`freeing: ${describeStatuses(calls().filter((c) => c.startedAt >= filledAt))} since filling`);
  fs.free();
  const servedAfterFree = (): LoadCall[] => calls().filter((c) => c.startedAt >= freedAt && c.status === 200);
  await until(() => (servedAfterFree().length >= options.servedAfter ? true : undefined));
  const recoveredAt = Math.min(...servedAfterFree().map((c) => c.endedAt));
  return { fillerBytes, filledAt, freedAt, recoveredAt };
}
