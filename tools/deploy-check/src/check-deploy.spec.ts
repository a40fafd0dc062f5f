import { checkDeploy } from './check-deploy.ts';
import { REPO_ROOT } from './testing/render-fixture.ts';

describe('checkDeploy on the repository', () => {
  it('finds no error in deploy/ (dev, prod, prod+sql, the co-hosted variants, Dockerfile, monitoring)', () => {
    const report = checkDeploy(REPO_ROOT);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect([...report.renders.keys()]).toEqual(['dev', 'prod', 'prod+sql', 'dev-cohosted', 'prod-cohosted']);
    // Warnings are only entry points not written yet (a Deployment for a service in progress).
    expect(report.findings.every((f) => f.rule === 'mesh.entry-point')).toBe(true);
  });

  it('reports a target that does not render as a finding, not a crash', () => {
    const report = checkDeploy(REPO_ROOT, [{ name: 'nowhere', path: 'deploy/overlays/nowhere', minReplicasFloor: 1 }]);
    expect(report.findings.filter((f) => f.rule === 'render').map((f) => f.subject)).toEqual(['nowhere']);
  });
});
