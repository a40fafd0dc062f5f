import { el, type Child } from '../ui/el.ts';

/**
 * One headline figure. `data-figure` names it and `data-value` carries the raw measured value
 * (micro-dollars, counts, ms) so tests compare with the ledger exactly, whatever the formatting.
 */
export function figureCard(id: string, label: string, value: string, raw: bigint | number | string, note?: Child): HTMLElement {
  return el(
    'section',
    { class: 'card', 'aria-labelledby': `fig-${id}` },
    el('h2', { id: `fig-${id}` }, label),
    el('p', { class: 'figure', 'data-figure': id, 'data-value': String(raw) }, value),
    note ? el('p', { class: 'figure-note' }, note) : null,
  );
}

/** A column of {@link dataTable}: header, cell text, optional raw value and alignment. */
export interface Column<R> {
  readonly header: string;
  readonly text: (row: R) => string;
  readonly raw?: (row: R) => bigint | number | string;
  readonly numeric?: boolean;
  readonly className?: (row: R) => string | undefined;
}

/** A table with a caption; an empty-state line instead when there are no rows. */
export function dataTable<R>(id: string, caption: string, columns: readonly Column<R>[], rows: readonly R[], empty: string): HTMLElement {
  if (rows.length === 0) return el('section', { class: 'table-block', 'data-table': id }, el('h2', {}, caption), el('p', { class: 'empty' }, empty));
  const head = el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, c.header)));
  const body = rows.map((r) =>
    el(
      'tr',
      {},
      ...columns.map((c) => {
        const classes = [c.numeric ? 'num' : '', c.className?.(r) ?? ''].filter(Boolean).join(' ');
        return el('td', { class: classes || undefined, 'data-value': c.raw ? String(c.raw(r)) : undefined }, c.text(r));
      }),
    ),
  );
  return el('section', { class: 'table-block', 'data-table': id }, el('table', {}, el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, ...body)));
}
