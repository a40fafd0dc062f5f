// The interpreter's vocabulary: words grouped by the concept they signal. Intent rules and slot
// extractors ask for concepts, never for spellings, so a synonym is added in one place; inflected
// forms reach their concept through the stem of its base form ("sending" → send → route).
import { stemOf } from './english.ts';

/** Concept → the (lower-case, typo-corrected) words that signal it. */
export const CONCEPTS = {
  show: ['show', 'display', 'list', 'get', 'give', 'view', 'see', 'report', 'analyze', 'analyse', 'analysis', 'check', 'pull', 'fetch', 'print', 'breakdown', 'summary', 'summarize', 'summarise', 'overview', 'inspect', 'review', 'audit'],
  question: ['what', 'whats', 'which', 'how', 'are', 'is', 'did', 'do', 'does', 'have', 'has', 'any'],
  usage: ['usage', 'use', 'used', 'spend', 'spent', 'spending', 'consumption', 'consumed', 'tokens', 'bill', 'billing', 'activity', 'volume', 'served', 'utilization', 'utilisation'],
  savings: ['savings', 'saved', 'save', 'saving'],
  compare: ['compare', 'comparison', 'compared', 'vs', 'versus', 'against', 'breakeven', 'cheaper', 'costlier', 'difference'],
  optimize: ['optimize', 'optimise', 'optimization', 'optimisation', 'optimizing', 'optimising', 'reduce', 'cut', 'lower', 'minimize', 'minimise', 'trim', 'shrink', 'slash', 'decrease', 'recommendations', 'recommend', 'suggestions', 'suggest', 'improve', 'efficiency'],
  cost: ['cost', 'costs', 'spend', 'spending', 'bill', 'money', 'price', 'prices', 'pricing', 'expenses', 'expense', 'dollars', 'cheaper', 'economics'],
  route: ['route', 'send', 'direct', 'force', 'steer', 'move', 'redirect', 'push', 'switch', 'shift', 'go', 'use', 'serve', 'run', 'put', 'dispatch', 'forward', 'handle', 'process'],
  pin: ['pin', 'pinned', 'always', 'stick', 'lock'],
  requests: ['queries', 'query', 'requests', 'request', 'prompts', 'prompt', 'calls', 'call', 'completions', 'completion', 'messages', 'traffic', 'jobs', 'questions', 'tasks', 'ones'],
  split: ['split', 'percent', 'percentage', 'share', 'ratio', 'weight', 'weighting', 'distribution'],
  overrides: ['override', 'overrides', 'pins', 'rules', 'rule', 'pinning', 'pinnings'],
  clear: ['clear', 'remove', 'delete', 'cancel', 'reset', 'drop', 'lift', 'unpin', 'undo', 'revoke', 'wipe', 'purge', 'disable', 'expire'],
  budget: ['budget', 'budgets', 'limit', 'limits', 'cap', 'caps', 'allowance', 'quota'],
  set: ['set', 'change', 'update', 'raise', 'increase', 'lower', 'decrease', 'make', 'limit', 'cap', 'adjust', 'bump', 'put', 'give', 'allow', 'reduce'],
  breakers: ['breaker', 'breakers', 'circuit', 'circuits', 'tripped'],
  fleet: ['instance', 'instances', 'fleet', 'machine', 'machines', 'box', 'boxes', 'node', 'nodes', 'server', 'servers', 'gpus', 'vm', 'vms'],
  launch: ['launch', 'spin', 'start', 'provision', 'boot', 'create', 'add', 'deploy', 'allocate', 'rent', 'scale', 'bring', 'fire', 'new'],
  terminate: ['terminate', 'kill', 'stop', 'destroy', 'tear', 'shut', 'shutdown', 'release', 'decommission', 'delete', 'remove', 'deprovision'],
  gpu: ['gpu', 'gpus', 'h100', 'a100', 'a10', 'gh200', 'vllm', 'dedicated', 'instance', 'instances'],
  serverless: ['serverless', 'pay-per-token', 'providers', 'provider', 'api'],
  ours: ['our', 'we', 'us', 'ours', 'mesh', 'sophia', 'lambda', 'labs', 'tenant', 'tenants', 'workload', 'fleet', 'current', 'currently', 'active', 'now'],
  tenant: ['tenant', 'tenants', 'customer', 'team', 'org', 'account'],
  workload: ['workload', 'workloads', 'job', 'pipeline'],
  polite: ['please', 'pls', 'plz', 'kindly', 'thanks', 'thank', 'hey', 'hi', 'could', 'can', 'would', 'you', 'me', 'i', 'want', 'like', 'need', 'to', 'for'],
} as const satisfies Record<string, readonly string[]>;

/** A concept name. */
export type Concept = keyof typeof CONCEPTS;

/** Common English words never "corrected" into a vocabulary word (post ≠ cost, most ≠ cost). */
export const COMMON_WORDS: ReadonlySet<string> = new Set(
  ('the a an of to in on at by for from with about into over under this that these those it its be was were been am ' +
    'even ever once both either neither and or but not no yes all any each every some more most less least many much few other another such only own same ' +
    'so than too very just also now then here there when where why who whom whose how what which while if else ' +
    'i me my you your he him his she her they them their we us our one two three first last next past best test rest ' +
    'host post lost cast case base vast fast mast list lust must dust gust just cost coat goat boat most pin pen pan ' +
    'story poem song joke essay write wrote draft code function script plan trip book cook look took hook good food ' +
    'time day week month year today yesterday tomorrow hour hours minute news tips tip name names cat dog house home ' +
    'sky blue news life world war word work worker works working help make made take give given get got put run ran ' +
    'new old big small large long short high low left right top bottom up down out off way ways thing things ' +
    'should would could can will shall may might must need want like love hate know think say said tell told ' +
    'explain describe translate compose generate create summarize rewrite paraphrase proofread debug solve convert ' +
    'gold price game gaming laptop phone car cars data team teams user users use used case cases party office ' +
    'french german spanish english japan paris australia python javascript sql regex bash linux cron email letter ' +
    'rocket orbit garden coffee shop meal meals recipe lasagna breakfast vaccines spider legs tesla model models ' +
    'process processes password role roles slogan interview questions browser cache lane lanes music class object programming').split(/\s+/),
);

const INDEX: ReadonlyMap<string, ReadonlySet<Concept>> = (() => {
  const map = new Map<string, Set<Concept>>();
  for (const [concept, words] of Object.entries(CONCEPTS) as Array<[Concept, readonly string[]]>) {
    for (const w of words) {
      const set = map.get(w) ?? new Set<Concept>();
      set.add(concept);
      map.set(w, set);
    }
  }
  return map;
})();

const STEM_INDEX: ReadonlyMap<string, ReadonlySet<Concept>> = (() => {
  const map = new Map<string, Set<Concept>>();
  for (const [word, concepts] of INDEX) {
    // Only base forms lend their stem: "send" catches "sending", but "tripped" must not catch "trip".
    if (/(ed|ing|s)$/.test(word)) continue;
    const set = map.get(stemOf(word)) ?? new Set<Concept>();
    for (const c of concepts) set.add(c);
    map.set(stemOf(word), set);
  }
  return map;
})();

/** The concepts a word signals, by spelling or else by stem (empty when none). */
export function conceptsOf(word: string): ReadonlySet<Concept> {
  return INDEX.get(word) ?? STEM_INDEX.get(stemOf(word)) ?? EMPTY;
}
const EMPTY: ReadonlySet<Concept> = new Set();

/** Month and weekday names and period words, so "Novembre" or "quatrer" still name a period. */
export const CALENDAR_WORDS: readonly string[] = [
  'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'today', 'yesterday', 'tomorrow', 'quarter', 'since', 'until', 'through',
];

/** Every vocabulary word, for typo correction. */
export const VOCABULARY: readonly string[] = [
  ...INDEX.keys(),
  'simple', 'balanced', 'complex', 'easy', 'hard', 'difficult', 'medium', 'moderate', 'complicated', 'trivial',
  'daily', 'monthly', 'weekly', 'yesterday', 'today', 'tomorrow', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'week', 'month', 'days', 'weeks', 'months',
  'baseline', 'largest', 'biggest', 'everything', 'percent', 'following', 'next', 'until', 'testing',
  'dollars', 'analyze', 'savings', 'lambda', 'labs', 'serverless', 'comparison', 'between', 'reporting',
  // Markers of ordinary prompts, so their typos are recognised too.
  'haiku', 'poem', 'limerick', 'story', 'essay', 'joke', 'song', 'recipe', 'tweet', 'slogan', 'explain', 'describe', 'translate', 'write', 'generate', 'summarize', 'compose', 'draft', 'template',
];
