import { createClient } from '@connectrpc/connect';
import { DashboardService } from '@sophia/contracts/dashboard';
import type { DashboardName } from '../routes.ts';
import { el, replaceChildren } from '../ui/el.ts';
import type { View } from '../views/view.ts';
import { rangePicker, type Dashboard } from './dashboard-frame.ts';
import { developerDashboard } from './developer-dashboard.ts';
import { executiveDashboard } from './executive-dashboard.ts';
import { financeDashboard } from './finance-dashboard.ts';
import { operationsDashboard } from './operations-dashboard.ts';
import { rangeFromSearch, type RangeId } from './time-range.ts';

const DASHBOARDS: Record<DashboardName, Dashboard> = {
  executive: executiveDashboard,
  operations: operationsDashboard,
  developer: developerDashboard,
  finance: financeDashboard,
};

/** A dashboard route: title, status line, the range picker when it reports over a period, its area. */
export function dashboardView(name: DashboardName): View {
  const dashboard = DASHBOARDS[name];
  return {
    title: dashboard.title,
    mount(container, app) {
      const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' }, 'Loading…');
      const area = el('div', { class: 'dashboard', 'data-dashboard': name, 'aria-busy': 'true' });
      let range: RangeId = rangeFromSearch(location.search);
      const listeners: Array<() => void> = [];
      const picker = dashboard.ranged
        ? rangePicker((r) => {
            range = r;
            for (const l of listeners) l();
          })
        : null;
      replaceChildren(container, el('h1', {}, dashboard.title), picker, status, area);
      return dashboard.mount(
        area,
        {
          client: createClient(DashboardService, app.transport),
          access: app.access,
          setStatus(text, isError) {
            status.textContent = text;
            status.classList.toggle('error', isError === true);
          },
        },
        () => range,
        (cb) => listeners.push(cb),
      );
    },
  };
}
