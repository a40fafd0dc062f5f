/** Words that carry no schema signal in a question. */
const STOPWORDS = new Set(
  ('a an the of in on at to for from by with and or not no is are was were be been being do does did have has had ' +
    'what which who whom whose when where why how many much more most less least than that this these those there ' +
    'their its it they them he she his her we our you your i me my all any each every some show list give find get ' +
    'return display tell please name names count number total average also only both either as into per whether ' +
    'than then ever other same different distinct sorted order ordered descending ascending result results')
    .split(' '),
);

/** Light suffix stripping so `singers`/`singer`, `categories`/`category`, `ordered`/`order` meet. */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && /(sses|xes|ches|shes|zes)$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  return w;
}

/** Splits an identifier or text into lower-case words: snake_case, camelCase, digits, punctuation. */
export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length > 0);
}

/** Stemmed content terms of a text (stopwords dropped). Exists so questions and names compare alike. */
export function contentTerms(text: string): string[] {
  return splitWords(text)
    .filter((w) => !STOPWORDS.has(w))
    .map(stem);
}

/** Whether two stemmed terms refer to the same thing: equal, or one a ≥4-letter prefix of the other. */
export function termsMatch(a: string, b: string): 'exact' | 'prefix' | null {
  if (a === b) return 'exact';
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  if (s.length >= 4 && l.startsWith(s)) return 'prefix';
  return null;
}
