import { readFileSync } from 'node:fs';
import { cooldownMinutes, FleetPolicyError, parseFleetPolicy, poolBounds } from './fleet-policy.ts';
import { DEFAULT_FLEET_POLICY_PATH, loadFleetPolicy } from './load-fleet-policy.ts';

describe('fleet policy', () => {
  it('loads the bundled default, whose explicit values equal the schema defaults', () => {
    const bundled = loadFleetPolicy();
    expect(bundled).toEqual(parseFleetPolicy('version: 1'));
    expect(readFileSync(DEFAULT_FLEET_POLICY_PATH, 'utf8')).toContain('on_serverless_breaker_open: true');
  });

  it('names every bad key by its path', () => {
    const bad = 'version: 1\ntarget_utilisation: 1.5\nscale_up:\n  break_even:\n    margin: -1\npools:\n  simple: { min_instances: 3, max_instances: 1 }\nextra: 1\n';
    expect(() => parseFleetPolicy(bad, 'p.yaml')).toThrow(FleetPolicyError);
    const message = (() => {
      try {
        parseFleetPolicy(bad, 'p.yaml');
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toMatch(/^p\.yaml: /);
    for (const path of ['target_utilisation', 'scale_up.break_even.margin', 'pools.simple.min_instances', '(root)']) expect(message).toContain(path);
  });

  it('rejects text that is not YAML and a wrong version', () => {
    expect(() => parseFleetPolicy('version: [1', 'x')).toThrow(/x: not valid YAML/);
    expect(() => parseFleetPolicy('version: 2', 'x')).toThrow(/version/);
  });

  it('uses the boot time as cool-down unless set, and per-tier bounds before the default', () => {
    const p = parseFleetPolicy('version: 1\npools:\n  complex: { max_instances: 1 }\n');
    expect(cooldownMinutes(p, 7)).toBe(7);
    expect(cooldownMinutes(parseFleetPolicy('version: 1\ncooldown_minutes: 30'), 7)).toBe(30);
    expect(poolBounds(p, 'complex')).toEqual({ minInstances: 0, maxInstances: 1 });
    expect(poolBounds(p, 'simple')).toEqual({ minInstances: 0, maxInstances: 4 });
  });
});
