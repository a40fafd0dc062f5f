import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Mesh } from '@sophia/dev';
import { API_KEY, startCompatMesh } from './compat-mesh.ts';

// The official Python `openai` SDK (pinned in tools/python-sdk/ensure-openai-venv.sh, installed by
// .ci/run into .tools/python-openai) against a real mesh. Skipped — with the reason printed — only
// where python3 (with venv) is absent.

const root = join(__dirname, '../../..');
const ensure = spawnSync('sh', [join(root, 'tools/python-sdk/ensure-openai-venv.sh')], { encoding: 'utf8' });
const python = ensure.status === 0 ? ensure.stdout.trim() : undefined;
const skipReason = ensure.status === 3 ? ensure.stderr.trim() : undefined;
if (skipReason) process.stderr.write(`[compat-e2e] Python SDK checks skipped: ${skipReason}\n`);

let mesh: Mesh | undefined;
beforeAll(async () => {
  if (python) mesh = await startCompatMesh();
}, 120_000);
afterAll(async () => {
  await mesh?.stop();
});

(skipReason ? it.skip : it)(`Python openai SDK: models, plain, stream, tool loop, streamed tool call, parse(), n + logprobs, embeddings, errors${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  if (!python) throw new Error(`could not prepare the Python SDK venv: ${ensure.stderr}`);
  let out: string;
  try {
    out = execFileSync(python, [join(root, 'apps/compat-e2e/python/openai_sdk_check.py')], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', SOPHIA_BASE_URL: `${mesh!.gatewayUrl}/v1`, SOPHIA_API_KEY: API_KEY },
      timeout: 60_000,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`Python SDK checks failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  const checks = out.trim().split('\n').map((l) => (JSON.parse(l) as { check: string }).check);
  expect(checks).toEqual(['models', 'plain', 'stream', 'tool loop', 'streamed tool call', 'structured output', 'n and logprobs', 'embeddings', 'errors']);
});
