import type { Client } from '@connectrpc/connect';
import { ConnectError } from '@connectrpc/connect';
import type { DashboardService } from '@sophia/contracts/dashboard';
import type { Access } from '../rpc/access.ts';
import { el, replaceChildren } from '../ui/el.ts';
import { startRefreshLoop } from './refresh-loop.ts';
import { periodOf, RANGES, rangeFromSearch, type Period, type RangeId } from './time-range.ts';

/** What a dashboard gets from the frame. */
export interface DashboardContext {
  readonly client: Client<typeof DashboardService>;
  readonly access: Access;
  /** The status line under the title ("updated 12:03:04", errors). */
  setStatus(text: string, isError?: boolean): void;
}

/** A dashboard: draws into its area; returns how to stop its loops and streams. */
export interface Dashboard {
  readonly title: string;
  /** True when it reports over a period and shows the range picker. */
  readonly ranged: boolean;
  mount(area: HTMLElement, ctx: DashboardContext, range: () => RangeId, onRange: (cb: () => void) => void): () => void;
}

/** Marks a dashboard's data arriving and, after the next paint, its drawing — measured as `dashboard-draw`. */
export function markDrawn(draw: () => void): void {
  performance.mark('dashboard-data');
  draw();
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.mark('dashboard-drawn');
      performance.measure('dashboard-draw', 'dashboard-data', 'dashboard-drawn');
    }, 0),
  );
}

/** A short message for a failed call. */
export function failureText(err: unknown): string {
  const e = ConnectError.from(err);
  return e.rawMessage;
}

/**
 * A report dashboard's loop: loads the period's data every minute while visible (and at once when
 * the range changes), then draws it in one go; the period used is on the area (`data-start-ms`,
 * `data-end-ms`) so anyone can ask the ledger for the same one.
 */
export function reportLoop(
  area: HTMLElement,
  ctx: DashboardContext,
  range: () => RangeId,
  onRange: (cb: () => void) => void,
  load: (period: Period, signal: AbortSignal) => Promise<() => Node[]>,
): () => void {
  let stop = (): void => undefined;
  const begin = (): void => {
    stop();
    area.setAttribute('aria-busy', 'true');
    stop = startRefreshLoop({
      everyMs: 60_000,
      load: async (signal) => {
        const period = periodOf(range(), Date.now());
        const draw = await load(period, signal);
        markDrawn(() => {
          area.dataset['startMs'] = String(period.startMs);
          area.dataset['endMs'] = String(period.endMs);
          replaceChildren(area, ...draw());
          area.setAttribute('aria-busy', 'false');
        });
        ctx.setStatus(`Updated ${new Date().toLocaleTimeString()} · refreshes every minute while this tab is visible`);
      },
      onError: (err) => {
        if (err !== undefined) ctx.setStatus(`Could not load: ${failureText(err)} (retrying with backoff)`, true);
      },
    });
  };
  onRange(begin);
  begin();
  return () => stop();
}

/** The range picker; changes the address (`?range=`) and calls `changed`. */
export function rangePicker(changed: (range: RangeId) => void): HTMLElement {
  const select = el('select', { id: 'range', name: 'range' });
  const current = rangeFromSearch(location.search);
  for (const r of RANGES) {
    const option = el('option', { value: r.id }, r.label);
    if (r.id === current) option.selected = true;
    select.append(option);
  }
  select.addEventListener('change', () => {
    const id = rangeFromSearch(`?range=${select.value}`);
    const url = new URL(location.href);
    url.searchParams.set('range', id);
    history.replaceState(null, '', url);
    changed(id);
  });
  return el('div', { class: 'toolbar' }, el('label', { for: 'range' }, 'Period'), select);
}
