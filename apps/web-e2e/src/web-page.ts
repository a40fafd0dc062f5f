import type { BrowserContext, Page } from 'playwright-core';

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
