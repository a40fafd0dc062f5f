import { serviceRegistry } from './service-registry.ts';

// The registry is the one place a service joins the hosting model: these checks keep a new entry
// from breaking how hosts resolve ports, dependencies and start order.
describe('serviceRegistry', () => {
  const names = serviceRegistry.map((m) => m.name);

  it('names every service once', () => {
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['gateway', 'router', 'classifier', 'ledger', 'serverless-inference', 'gpu-inference', 'sql']));
  });

  it('gives every service a distinct SOPHIA_<NAME>_PORT key and a default port', () => {
    for (const m of serviceRegistry) {
      expect(m.portKey).toBe(`SOPHIA_${m.name.toUpperCase().replace(/-/g, '_')}_PORT`);
      expect(Number.isInteger(m.defaultPort) && m.defaultPort > 0 && m.defaultPort < 65536).toBe(true);
    }
    expect(new Set(serviceRegistry.map((m) => m.defaultPort)).size).toBe(serviceRegistry.length);
  });

  it('depends only on registered services, listed before their dependants (start order)', () => {
    serviceRegistry.forEach((m, i) => {
      for (const dep of Object.keys(m.dependsOn)) {
        expect({ service: m.name, dependency: dep, registered: names.includes(dep) }).toEqual({ service: m.name, dependency: dep, registered: true });
        expect({ service: m.name, dependency: dep, before: names.indexOf(dep) < i }).toEqual({ service: m.name, dependency: dep, before: true });
      }
    });
  });
});
