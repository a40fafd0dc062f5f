// CLI: `node tools/deploy-check/src/main.ts [repo-root]` renders and checks deploy/ offline.
// Prints one line per finding; exit 1 when there is an error, 0 otherwise (warnings only print).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDeploy } from './check-deploy.ts';

const root = resolve(process.argv[2] ?? fileURLToPath(new URL('../../..', import.meta.url)));
const report = checkDeploy(root);
for (const f of report.findings) process.stdout.write(`${f.severity} ${f.rule} ${f.subject}: ${f.message}\n`);
const errors = report.findings.filter((f) => f.severity === 'error').length;
const summary = [...report.renders].map(([name, objects]) => `${name} ${objects.length} objects`).join(', ');
process.stdout.write(`deploy-check: ${summary}; ${errors} error(s), ${report.findings.length - errors} warning(s)\n`);
process.exitCode = errors > 0 ? 1 : 0;
