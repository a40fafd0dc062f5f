import type { DashboardName } from '../routes.ts';
import { el, replaceChildren } from '../ui/el.ts';
import type { View } from '../views/view.ts';

/** A dashboard route's view (filled in as the gateway's operator API lands). */
export function dashboardView(name: DashboardName): View {
  const title = `${name[0]!.toUpperCase()}${name.slice(1)} dashboard`;
  return {
    title,
    mount(container) {
      replaceChildren(container, el('h1', {}, title), el('p', { class: 'empty' }, 'The gateway does not yet publish the data this dashboard needs.'));
      return () => undefined;
    },
  };
}
