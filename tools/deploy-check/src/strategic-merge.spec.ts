import { strategicMerge } from './strategic-merge.ts';

describe('strategicMerge', () => {
  const deployment = {
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'a:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
            { name: 'sidecar', image: 's:1' },
          ],
          tolerations: [{ key: 'x' }],
        },
      },
    },
  };

  it('merges containers and env by name, keeping the rest', () => {
    const out = strategicMerge(deployment, {
      spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: 'two' }, { name: 'C', value: '3' }] }] } } },
    });
    expect(out).toEqual({
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'a:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: 'two' }, { name: 'C', value: '3' }] },
              { name: 'sidecar', image: 's:1' },
            ],
            tolerations: [{ key: 'x' }],
          },
        },
      },
    });
  });

  it('replaces lists without a merge key and deletes keys patched to null', () => {
    const out = strategicMerge(deployment, { spec: { replicas: null, template: { spec: { tolerations: [{ key: 'y' }] } } } });
    expect(out['spec']).not.toHaveProperty('replicas');
    expect((out as typeof deployment).spec.template.spec.tolerations).toEqual([{ key: 'y' }]);
  });

  it('does not modify its inputs', () => {
    const before = JSON.stringify(deployment);
    strategicMerge(deployment, { spec: { replicas: 5 } });
    expect(JSON.stringify(deployment)).toBe(before);
  });

  it('rejects $patch directives and elements without their merge key', () => {
    expect(() => strategicMerge(deployment, { spec: { $patch: 'replace' } }, 'p')).toThrow('p.spec: patch directive $patch is not supported');
    expect(() => strategicMerge(deployment, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'p')).toThrow('merge key "name"');
  });
});
