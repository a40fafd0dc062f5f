import type { LabelledPhrase } from './labelled-set.ts';

const OPENERS = ['please ', 'hey, could you ', 'can you ', 'I need you to ', 'quick one: ', ''];
const CLOSERS = [' please', ', thanks!', ' thx', '?', ' asap', ''];

/**
 * A noisier copy of a labelled phrase, deterministic by index: a polite opener/closer, random
 * case, and one adjacent-letter swap in a word of 5+ letters that no expected argument contains
 * (so the label stays true). Measures robustness to typos and politeness on the same labels.
 */
export function perturbPhrase(item: LabelledPhrase, index: number): LabelledPhrase {
  const protectedText = Object.values(item.args).map((v) => String(v).toLowerCase());
  const words = item.text.split(' ');
  const candidates = words
    .map((w, i) => ({ w, i }))
    .filter(({ w }) => /^[A-Za-z]{5,}$/.test(w) && !protectedText.some((p) => p.includes(w.toLowerCase())));
  if (candidates.length > 0) {
    const { w, i } = candidates[index % candidates.length]!;
    const at = 1 + (index % (w.length - 2));
    words[i] = w.slice(0, at) + w[at + 1] + w[at] + w.slice(at + 2);
  }
  let text = words.join(' ');
  if (index % 3 === 0) text = text.toUpperCase();
  else if (index % 3 === 1) text = text.toLowerCase();
  const opener = OPENERS[index % OPENERS.length]!;
  const closer = CLOSERS[(index >> 1) % CLOSERS.length]!;
  return { ...item, id: `${item.id}~noisy`, text: `${opener}${opener ? text.charAt(0).toLowerCase() + text.slice(1) : text}${closer}` };
}
