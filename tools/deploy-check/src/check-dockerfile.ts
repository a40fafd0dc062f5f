// deploy/Dockerfile and its ignore file: the runtime stage is node:24-slim and non-root, production
// dependencies come from `npm ci --omit=dev`, every COPY source exists, and every file a service's
// entry point imports is both copied into the image and not excluded from the build context.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { error, type Finding } from './finding.ts';
import { parseIgnoreFile } from './ignore-patterns.ts';
import { importClosure } from './import-closure.ts';

const SUBJECT = 'deploy/Dockerfile';

/** One Dockerfile instruction with its arguments (continuation lines joined). */
interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
}

/** The two texts checked; read from deploy/ unless given (tests pass edited copies). */
export interface DockerfileTexts {
  readonly dockerfile: string;
  readonly dockerignore: string;
}

/** Reads deploy/Dockerfile and deploy/Dockerfile.dockerignore, or says which is missing. */
export function readDockerfileTexts(root: string): DockerfileTexts | Finding {
  const file = join(root, 'deploy', 'Dockerfile');
  const ignoreFile = join(root, 'deploy', 'Dockerfile.dockerignore');
  if (!existsSync(file)) return error(SUBJECT, 'docker.missing', 'deploy/Dockerfile does not exist');
  if (!existsSync(ignoreFile)) return error(SUBJECT, 'docker.ignore', 'deploy/Dockerfile.dockerignore does not exist: the whole repository (node_modules, .git) would be sent');
  return { dockerfile: readFileSync(file, 'utf8'), dockerignore: readFileSync(ignoreFile, 'utf8') };
}

/**
 * Checks the Dockerfile (built with the repository `root` as context) for the scripts pods run
 * from the image (`entryScripts`, repository-relative, e.g. "apps/router/src/main.ts").
 */
export function checkDockerfile(root: string, entryScripts: readonly string[], texts: DockerfileTexts | Finding = readDockerfileTexts(root)): Finding[] {
  if ('severity' in texts) return [texts];
  const findings: Finding[] = [];
  const steps = instructions(texts.dockerfile);
  const ignore = parseIgnoreFile(texts.dockerignore, 'deploy/Dockerfile.dockerignore');
  const lastFrom = steps.map((s) => s.keyword).lastIndexOf('FROM');
  const runtime = steps.slice(lastFrom);
  if (lastFrom === -1 || !/^node:24-slim(?:@sha256:[0-9a-f]{64})?(?:\s|$)/.test(runtime[0]!.args)) {
    findings.push(error(SUBJECT, 'docker.base-image', 'the runtime stage must be FROM node:24-slim (Node 24 runs the .ts sources)'));
  }
  const user = runtime.filter((s) => s.keyword === 'USER').pop()?.args.split(':')[0];
  if (user === undefined || !/^\d+$/.test(user) || user === '0') {
    findings.push(error(SUBJECT, 'docker.user', 'the runtime stage needs a numeric non-root USER (runAsNonRoot verifies numeric uids only)'));
  }
  if (!steps.some((s) => s.keyword === 'RUN' && /\bnpm ci\b/.test(s.args) && /--omit=dev\b/.test(s.args))) {
    findings.push(error(SUBJECT, 'docker.deps', 'dependencies must be installed with `npm ci --omit=dev` (root package.json dependencies)'));
  }
  const copied: string[] = [];
  steps.forEach((step, index) => {
    if (step.keyword !== 'COPY' || /--from=/.test(step.args)) return;
    const parts = step.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    for (const source of parts.slice(0, -1)) {
      const path = source.replace(/^\.\/?/, '').replace(/\/$/, '');
      if (path !== '' && !existsSync(join(root, path))) findings.push(error(SUBJECT, 'docker.copy-source', `COPY source ${source} does not exist`));
      if (index > lastFrom) copied.push(path);
    }
  });
  for (const required of ['package.json', 'package-lock.json']) {
    if (ignore.excludes(required)) findings.push(error(SUBJECT, 'docker.ignore', `${required} is excluded from the build context`));
  }
  const inImage = (path: string): boolean => copied.some((c) => c === '' || path === c || path.startsWith(`${c}/`));
  for (const script of entryScripts) {
    let files: string[];
    try {
      files = importClosure(root, script);
    } catch (err) {
      findings.push(error(SUBJECT, 'docker.entry-imports', `${script}: ${(err as Error).message}`));
      continue;
    }
    for (const path of files) {
      if (ignore.excludes(path)) findings.push(error(SUBJECT, 'docker.entry-imports', `${script} loads ${path}, which the ignore file excludes from the image`));
      else if (!inImage(path)) findings.push(error(SUBJECT, 'docker.entry-imports', `${script} loads ${path}, which no runtime-stage COPY puts in the image`));
    }
  }
  return findings;
}
