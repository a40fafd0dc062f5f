/** The four dashboards, each its own route under /dashboards/. */
export const DASHBOARDS = ['executive', 'operations', 'developer', 'finance'] as const;

/** One dashboard's name. */
export type DashboardName = (typeof DASHBOARDS)[number];

/** A path resolved to what the shell should show. */
export type Route = { kind: 'home' } | { kind: 'chat' } | { kind: 'dashboard'; name: DashboardName } | { kind: 'not-found'; path: string };

/** Resolves a pathname (trailing slash ignored) to a route. */
export function resolveRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/' || path === '') return { kind: 'home' };
  if (path === '/chat') return { kind: 'chat' };
  const m = /^\/dashboards\/([a-z]+)$/.exec(path);
  const name = DASHBOARDS.find((d) => d === m?.[1]);
  if (name) return { kind: 'dashboard', name };
  return { kind: 'not-found', path };
}
