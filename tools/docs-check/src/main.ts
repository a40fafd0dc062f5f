// `npm run -s docs-check [-- --run] [--only TEXT]`: every shell command the docs show must be in
// tools/docs-check/docs-commands.yaml, as run (as written, or a short form saying why) or skipped with
// a reason; with --run, the runnable ones are executed (a fresh SOPHIA_DATA_DIR and TMPDIR each, the
// system `node` first on PATH so the Node 24 shim is exercised, curl lines against a mesh this
// check starts); an entry's `full:` form then runs on the full evaluation data where it is present and
// must print the documented figures. Exit 1 on drift or any failed command.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findRepoRoot, startMesh, type Mesh } from '@sophia/dev';
import { evalDataDir } from '@sophia/eval-data';
import { findDrift, loadRegistry } from './command-registry.ts';
import { docsFiles } from './docs-files.ts';
import { extractCommands } from './extract-commands.ts';
import { runCommand } from './run-command.ts';

const { values } = parseArgs({ options: { run: { type: 'boolean' }, only: { type: 'string' } } });
const root = findRepoRoot();
const registryPath = path.join(root, 'tools/docs-check/docs-commands.yaml');
const documented = docsFiles(root).flatMap((f) => extractCommands(f, readFileSync(path.join(root, f), 'utf8')));
const registry = loadRegistry(registryPath);
const drift = findDrift(documented, registry);
for (const c of drift.unregistered) process.stdout.write(`UNREGISTERED ${c.file}:${c.line}: ${c.command}\n`);
for (const e of drift.stale) process.stdout.write(`STALE (no document shows it): ${e.command}\n`);
const runnable = registry.filter((e) => e.run !== undefined).length;
process.stdout.write(`${documented.length} documented commands (${new Set(documented.map((c) => c.command)).size} distinct) in ${docsFiles(root).length} files; registry: ${runnable} run, ${registry.length - runnable} skipped with a reason\n`);
let failed = drift.unregistered.length + drift.stale.length;
if (failed > 0) process.stdout.write(`docs-check: ${failed} command(s) out of step with ${path.relative(root, registryPath)}: register each as run or skip (with the reason)\n`);

if (values.run) {
  // The system node first: documented commands must work through the npm scripts' Node 24 shim.
  const PATH = (process.env['PATH'] ?? '').split(':').filter((p) => !p.includes('.tools/node')).join(':');
  const dataDir = evalDataDir(root, undefined, root);
  let mesh: Mesh | undefined;
  let meshData: string | undefined;
  let fullSkipped = 0;
  const key = 'docs-check-key';
  /** Runs one shell line the way a new user would (fresh SOPHIA_DATA_DIR and TMPDIR) and prints the verdict. */
  const runOne = async (label: string, shell: string, opts: { timeoutS?: number; until?: string; expect?: string }, extraEnv: NodeJS.ProcessEnv = {}): Promise<void> => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'sophia-docs-check-'));
    const env: NodeJS.ProcessEnv = { ...extraEnv, PATH, HOME: process.env['HOME'], LANG: 'C.UTF-8', SOPHIA_DATA_DIR: scratch, TMPDIR: scratch, ...(mesh ? { GATEWAY: mesh.gatewayUrl, KEY: key } : {}) };
    const result = await runCommand({
      shell,
      cwd: root,
      env,
      timeoutS: opts.timeoutS ?? 120,
      until: opts.until ? new RegExp(opts.until) : undefined,
      expect: opts.expect ? new RegExp(opts.expect) : undefined,
    });
    rmSync(scratch, { recursive: true, force: true });
    if (!result.ok) failed += 1;
    process.stdout.write(`${result.ok ? 'ok  ' : 'FAIL'} ${(result.ms / 1000).toFixed(1)} s  ${label}${result.ok ? '' : `\n     ${result.detail.replace(/\n/g, '\n     ')}`}\n`);
  };
  for (const e of registry) {
    if (e.run === undefined || (values.only && !e.command.includes(values.only))) continue;
    if (e.mesh && !mesh) {
      meshData = mkdtempSync(path.join(tmpdir(), 'sophia-docs-mesh-'));
      mesh = await startMesh({
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], SOPHIA_DATA_DIR: meshData, SOPHIA_API_KEYS: `${key}:docs:chat+ops:read+ops:write`, SOPHIA_LOG_LEVEL: 'warn' },
        gatewayPort: 0,
      });
    }
    await runOne(e.short ? `${e.run}   (short form: ${e.short})` : e.run, e.run, e);
    if (!e.full) continue;
    const missing = e.full.needs.filter((n) => !existsSync(path.join(dataDir, n)));
    if (missing.length > 0) {
      fullSkipped += 1;
      process.stdout.write(`skip       ${e.full.run}   (full data, the documented figures: ${dataDir} lacks ${missing.join(', ')}; \`npm run data\` fetches it)\n`);
    } else await runOne(`${e.full.run}   (full data, $EVAL_DATA=${dataDir}: the documented figures)`, e.full.run, e.full, { EVAL_DATA: dataDir });
  }
  await mesh?.stop();
  if (meshData) rmSync(meshData, { recursive: true, force: true });
  if (fullSkipped > 0) process.stdout.write(`docs-check: ${fullSkipped} full-data run(s) skipped: no evaluation data here\n`);
}
process.exit(failed > 0 ? 1 : 0);
