import { checkDockerfile, readDockerfileTexts, type DockerfileTexts } from './check-dockerfile.ts';
import type { Finding } from './finding.ts';
import { importClosure } from './import-closure.ts';
import { parseIgnoreFile } from './ignore-patterns.ts';
import { REPO_ROOT } from './testing/render-fixture.ts';

const committed = readDockerfileTexts(REPO_ROOT) as DockerfileTexts;
const SCRIPTS = ['apps/gateway/src/main.ts', 'apps/ledger/src/main.ts', 'apps/router/src/main.ts', 'tools/upstream-sim/src/main.ts'];
const check = (texts: DockerfileTexts): string[] => checkDockerfile(REPO_ROOT, SCRIPTS, texts).map((f: Finding) => `${f.rule} ${f.message}`);

describe('parseIgnoreFile', () => {
  it('matches paths and their parents like .dockerignore', () => {
    const ignore = parseIgnoreFile('# c\n**/node_modules\n.git\ntmp-*\n**/*.spec.ts\n**/src/testing\n', 'x');
    expect(ignore.excludes('libs/platform/node_modules/x/index.js')).toBe(true);
    expect(ignore.excludes('.git/HEAD')).toBe(true);
    expect(ignore.excludes('tmp-sql-explore/a')).toBe(true);
    expect(ignore.excludes('apps/router/src/route-plan.spec.ts')).toBe(true);
    expect(ignore.excludes('libs/platform/src/testing/index.ts')).toBe(true);
    expect(ignore.excludes('apps/router/src/route-plan.ts')).toBe(false);
    expect(ignore.excludes('package.json')).toBe(false);
    expect(() => parseIgnoreFile('!keep', 'f')).toThrow('f: exception pattern "!keep" is not supported');
  });
});

describe('importClosure', () => {
  it('follows relative imports and workspace packages through their exports', () => {
    const files = importClosure(REPO_ROOT, 'apps/router/src/main.ts');
    expect(files).toContain('apps/router/src/router-handler.ts');
    expect(files).toContain('libs/platform/src/run-service.ts');
    expect(files.some((f) => f.startsWith('libs/contracts/src/gen/'))).toBe(true);
    expect(files.some((f) => f.includes('/testing/') || f.endsWith('.spec.ts'))).toBe(false);
  });
});

describe('checkDockerfile', () => {
  it('passes the committed Dockerfile and ignore file', () => {
    expect(check(committed)).toEqual([]);
  });

  it('fails when the ignore file drops what an entry point imports', () => {
    const found = check({ ...committed, dockerignore: `${committed.dockerignore}\nlibs/platform/src/run-service.ts\n` });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.startsWith('docker.entry-imports') && f.includes('loads libs/platform/src/run-service.ts, which the ignore file excludes'))).toBe(true);
  });

  it('fails when a runtime COPY is missing, the user is root, or dev dependencies are installed', () => {
    const dockerfile = committed.dockerfile.replace('COPY libs ./libs\n', '').replace('USER 1000:1000', 'USER root').replace('npm ci --omit=dev', 'npm ci');
    const found = check({ ...committed, dockerfile });
    expect(found).toContain('docker.user the runtime stage needs a numeric non-root USER (runAsNonRoot verifies numeric uids only)');
    expect(found).toContain('docker.deps dependencies must be installed with `npm ci --omit=dev` (root package.json dependencies)');
    expect(found.some((f) => f.startsWith('docker.entry-imports') && f.includes('which no runtime-stage COPY puts in the image'))).toBe(true);
  });

  it('fails another base image and a COPY source that does not exist', () => {
    const dockerfile = committed.dockerfile.replace(/FROM node:24-slim\nENV/, 'FROM node:20-slim\nENV').replace('COPY tools ./tools', 'COPY tool ./tools');
    const found = check({ ...committed, dockerfile });
    expect(found.slice(0, 2)).toEqual([
      'docker.base-image the runtime stage must be FROM node:24-slim (Node 24 runs the .ts sources)',
      'docker.copy-source COPY source tool does not exist',
    ]);
    // tools/ is no longer copied, so the simulator the dev overlay runs is missing from the image.
    expect(found.length).toBeGreaterThan(2);
    expect(found.slice(2).every((f) => f.startsWith('docker.entry-imports tools/upstream-sim/src/main.ts loads tools/'))).toBe(true);
  });
});
