import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { findRepoRoot } from '@sophia/dev';
import { launchChromium } from '@sophia/web-build';
import type { JaegerTrace } from './jaeger-fixture.ts';

type Span = JaegerTrace['spans'][number] & { readonly startTime?: number; readonly duration?: number };

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A waterfall of one trace as Jaeger's query API returned it: one row per span, indented under its parent. */
export function traceWaterfallHtml(trace: JaegerTrace, source: string): string {
  const spans = trace.spans as readonly Span[];
  const parentOf = (s: Span): string | undefined => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
  const ids = new Set(spans.map((s) => s.spanID));
  const children = new Map<string | undefined, Span[]>();
  for (const s of spans) {
    const p = parentOf(s);
    const key = p !== undefined && ids.has(p) ? p : undefined;
    children.set(key, [...(children.get(key) ?? []), s]);
  }
  const t0 = Math.min(...spans.map((s) => s.startTime ?? 0));
  const t1 = Math.max(...spans.map((s) => (s.startTime ?? 0) + (s.duration ?? 0)));
  const total = Math.max(1, t1 - t0);
  const rows: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0))) {
      const left = (((s.startTime ?? 0) - t0) / total) * 100;
      const width = Math.max(0.3, ((s.duration ?? 0) / total) * 100);
      const err = s.tags.some((t) => t.key === 'error' && t.value === true);
      const kind = String(s.tags.find((t) => t.key === 'span.kind')?.value ?? 'internal');
      rows.push(
        `<tr><td style="padding-left:${depth * 16 + 4}px">${escape(s.service.replace(/^sophia-/, ''))}</td><td style="padding-left:${depth * 16 + 4}px">${escape(s.operationName)} <small>${kind}</small></td>` +
          `<td class="bar"><div style="margin-left:${left}%;width:${width}%;background:${err ? '#d9534f' : '#5b8def'}"></div></td><td>${((s.duration ?? 0) / 1000).toFixed(2)} ms</td></tr>`,
      );
      walk(s.spanID, depth + 1);
    }
  };
  walk(undefined, 0);
  return `<!doctype html><meta charset="utf-8"><title>trace ${trace.traceID}</title>
<style>body{font:13px system-ui,sans-serif;margin:16px}table{border-collapse:collapse;width:100%}td{border-bottom:1px solid #eee;padding:3px 4px;white-space:nowrap}
td.bar{width:45%}td.bar div{height:12px;border-radius:2px}small{color:#888}h1{font-size:16px}</style>
<h1>Trace ${trace.traceID} — ${spans.length} spans, ${(total / 1000).toFixed(1)} ms</h1><p>${escape(source)}</p>
<table><tr><th align=left>service</th><th align=left>operation</th><th align=left>timeline</th><th align=left>duration</th></tr>${rows.join('')}</table>`;
}

async function withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
  const browser = await launchChromium({ viewport: { width: 1600, height: 900 } });
  try {
    return await fn(await browser.context.newPage());
  } finally {
    await browser.close();
  }
}

/**
 * Screenshots, in Debian's Chromium (SOPHIA_CHROMIUM overrides; never a downloaded browser), the
 * trace Jaeger stored, as its query API returns it, drawn as a waterfall. Jaeger's own React UI is
 * not part of the Go module build (the binary serves a placeholder page) and no registry ships its
 * assets, so the page is drawn here from `/api/traces/{id}`. Saved under reports/tracing.
 */
export async function screenshotTrace(trace: JaegerTrace, source: string, fileName: string): Promise<{ file: string; text: string }> {
  const dir = join(findRepoRoot(), 'reports', 'tracing');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, fileName);
  return withPage(async (page) => {
    await page.setContent(traceWaterfallHtml(trace, source));
    await page.screenshot({ path: file, fullPage: true });
    return { file, text: await page.innerText('body') };
  });
}
