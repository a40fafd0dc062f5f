import { ConfigError } from '../config-loader.ts';
import type { ServiceModule } from './service-module.ts';

/**
 * The modules a process hosts, from `SOPHIA_SERVICES` (a comma-separated list of names, or `all`),
 * in start order: every service after the hosted services it depends on, registry order otherwise.
 * An unknown or repeated name, an empty list, or a dependency cycle is a ConfigError naming the key.
 */
export function selectServices(registry: readonly ServiceModule[], spec: string | undefined): ServiceModule[] {
  const byName = new Map(registry.map((m) => [m.name, m]));
  const text = (spec ?? 'all').trim();
  const names = text === 'all' ? registry.map((m) => m.name) : text.split(',').map((s) => s.trim()).filter(Boolean);
  const problems: string[] = [];
  if (names.length === 0) problems.push(`SOPHIA_SERVICES: empty; name services (${registry.map((m) => m.name).join(', ')}) or "all"`);
  const seen = new Set<string>();
  for (const name of names) {
    if (!byName.has(name)) problems.push(`SOPHIA_SERVICES: unknown service "${name}" (known: ${registry.map((m) => m.name).join(', ')}, or "all")`);
    else if (seen.has(name)) problems.push(`SOPHIA_SERVICES: "${name}" is listed twice`);
    seen.add(name);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const ordered: ServiceModule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (module: ServiceModule, path: readonly string[]): void => {
    const now = state.get(module.name);
    if (now === 'done') return;
    if (now === 'visiting') throw new ConfigError([`service registry: dependency cycle ${[...path, module.name].join(' → ')}`]);
    state.set(module.name, 'visiting');
    for (const dep of Object.keys(module.dependsOn)) {
      const target = byName.get(dep);
      if (target && seen.has(dep)) visit(target, [...path, module.name]);
    }
    state.set(module.name, 'done');
    ordered.push(module);
  };
  for (const module of registry) if (seen.has(module.name)) visit(module, []);
  return ordered;
}
