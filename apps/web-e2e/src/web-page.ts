import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '@sophia/dev';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { eventually } from './eventually.ts';
import { reportsDir } from './web-mesh.ts';

/** Saves a full-page screenshot as reports/web/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(reportsDir(), `${name}.png`), fullPage: true });
}

/** A page of the app signed in through the URL fragment (the scripted sign-in). */
export async function openSignedIn(context: BrowserContext, baseUrl: string, path: string, key: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}${path}#key=${encodeURIComponent(key)}`);
  await page.locator('nav #sign-out').waitFor();
  return page;
}

/** Sends a chat message and resolves with the locator of its answer. */
export async function sendChat(page: Page, text: string) {
  const before = await page.locator('.turn.assistant').count();
  await page.fill('#chat-input', text);
  await page.click('#chat-send');
  const answer = page.locator('.turn.assistant').nth(before);
  await answer.waitFor();
  return answer;
}

/**
 * Starts recording the length of the newest answer's text at every DOM change, so a test can see
 * whether the answer grew step by step or arrived at once.
 */
export async function recordAnswerGrowth(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __growth: number[] };
    w.__growth = [];
    const log = document.querySelector('.conversation');
    if (!log) throw new Error('no conversation');
    new MutationObserver(() => {
      const bodies = log.querySelectorAll('.turn.assistant .answer-body');
      const last = bodies[bodies.length - 1];
      const n = last?.textContent?.length ?? 0;
      if (w.__growth[w.__growth.length - 1] !== n) w.__growth.push(n);
    }).observe(log, { subtree: true, childList: true, characterData: true });
  });
}

/** The lengths {@link recordAnswerGrowth} saw. */
export function answerGrowth(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __growth: number[] }).__growth);
}

/** Waits until the first match of `selector` in `scope` has text matching `pattern`. */
export async function expectText(scope: Page | Locator, selector: string, pattern: RegExp): Promise<void> {
  await eventually(() => scope.locator(selector).first().textContent(), (t) => pattern.test(t ?? ''), `text of ${selector} to match ${pattern}`);
}

let axeSource: string | undefined;

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<Array<{ id: string; impact: string; nodes: string[] }>> {
  axeSource ??= readFileSync(join(findRepoRoot(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  // Evaluated over the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run(document);
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
