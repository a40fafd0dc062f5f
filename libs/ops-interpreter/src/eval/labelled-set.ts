// The interpreter's own labelled evaluation set: operator phrasings (templates × slot values) and
// ordinary prompts that are not commands. Written BEFORE the rules were tuned; templates alternate
// between the dev half (used while writing rules) and the test half (only ever measured), so a
// phrasing pattern seen while tuning never appears in the test figures.

/** Expected arguments of one labelled phrasing (the CLI's `args` object). */
export type LabelArgs = Readonly<Record<string, string | number>>;

/** One labelled phrasing. */
export interface LabelledPhrase {
  readonly id: string;
  readonly text: string;
  readonly intent: string;
  readonly args: LabelArgs;
  readonly split: 'dev' | 'test';
}

/** The moment and zone every label's dates are computed for (a Wednesday). */
export const LABEL_NOW = '2026-12-09T10:00:00Z';
export const LABEL_TIME_ZONE = 'UTC';

type Slot = readonly [text: string, args: LabelArgs];

const PERIOD: readonly Slot[] = [
  ['this week', { from: '2026-12-07', to: '2026-12-14' }],
  ['the last 7 days', { from: '2026-12-03', to: '2026-12-10' }],
  ['yesterday', { from: '2026-12-08', to: '2026-12-09' }],
  ['last month', { from: '2026-11-01', to: '2026-12-01' }],
  ['the past seven days', { from: '2026-12-03', to: '2026-12-10' }],
  ['this month', { from: '2026-12-01', to: '2027-01-01' }],
  ['last week', { from: '2026-11-30', to: '2026-12-07' }],
  ['today', { from: '2026-12-09', to: '2026-12-10' }],
  ['the last 30 days', { from: '2026-11-10', to: '2026-12-10' }],
  ['past 14 days', { from: '2026-11-26', to: '2026-12-10' }],
];
const BACKEND: readonly Slot[] = [
  ['GPU', { backend: 'gpu' }],
  ['serverless', { backend: 'serverless' }],
  ['the GPU instances', { backend: 'gpu' }],
  ['the serverless providers', { backend: 'serverless' }],
  ['Lambda GPUs', { backend: 'gpu' }],
  ['pay-per-token', { backend: 'serverless' }],
];
const N: readonly Slot[] = [
  ['10', { n: 10 }],
  ['five', { n: 5 }],
  ['twenty', { n: 20 }],
  ['3', { n: 3 }],
  ['twenty-five', { n: 25 }],
  ['100', { n: 100 }],
  ['fifty', { n: 50 }],
];
const TIER: readonly Slot[] = [
  ['complex', { tier: 'complex' }],
  ['simple', { tier: 'simple' }],
  ['balanced', { tier: 'balanced' }],
  ['hard', { tier: 'complex' }],
  ['easy', { tier: 'simple' }],
  ['medium', { tier: 'balanced' }],
];
const WORKLOAD: readonly Slot[] = [
  ['daily reporting', { workload: 'daily-reporting' }],
  ['support-bot', { workload: 'support-bot' }],
  ['summarization', { workload: 'summarization' }],
  ['nightly-etl', { workload: 'nightly-etl' }],
];
const TENANT: readonly Slot[] = [
  ['acme', { tenant: 'acme' }],
  ['globex', { tenant: 'globex' }],
  ['initech', { tenant: 'initech' }],
];
const AMOUNT: readonly Slot[] = [
  ['$2,500', { amount_usd: 2500 }],
  ['7.50 dollars', { amount_usd: 7.5 }],
  ['$100', { amount_usd: 100 }],
  ['500 dollars', { amount_usd: 500 }],
  ['twenty dollars', { amount_usd: 20 }],
  ['$10,000', { amount_usd: 10000 }],
  ['$1.5k', { amount_usd: 1500 }],
  ['300 usd', { amount_usd: 300 }],
];
const WINDOW_ADJ: readonly Slot[] = [
  ['monthly', { window: 'monthly' }],
  ['daily', { window: 'daily' }],
];
const WINDOW_TAIL: readonly Slot[] = [
  ['per month', { window: 'monthly' }],
  ['a day', { window: 'daily' }],
  ['per day', { window: 'daily' }],
  ['each month', { window: 'monthly' }],
];
const SPCT: readonly Slot[] = [
  ['30', { serverless_percent: 30 }],
  ['70', { serverless_percent: 70 }],
  ['50', { serverless_percent: 50 }],
  ['80', { serverless_percent: 80 }],
  ['25', { serverless_percent: 25 }],
];
// The same split stated as the GPU share (serverless_percent = 100 - GPU share).
const GPCT: readonly Slot[] = [
  ['30', { serverless_percent: 70 }],
  ['70', { serverless_percent: 30 }],
  ['20', { serverless_percent: 80 }],
  ['40', { serverless_percent: 60 }],
];
const OVERRIDE_ID: readonly Slot[] = [
  ['ov-7f3a2c', { id: 'ov-7f3a2c' }],
  ['9b1de0c4', { id: '9b1de0c4' }],
  ['ovr_12', { id: 'ovr_12' }],
];
const INSTANCE_ID: readonly Slot[] = [
  ['0920582c7ff041399e34823a0be62549', { instance_id: '0920582c7ff041399e34823a0be62549' }],
  ['i-4f2a91', { instance_id: 'i-4f2a91' }],
  ['inst-77b3', { instance_id: 'inst-77b3' }],
];
const COUNT: readonly Slot[] = [
  ['2', { count: 2 }],
  ['one', { count: 1 }],
  ['three', { count: 3 }],
  ['4', { count: 4 }],
];
const ITYPE: readonly Slot[] = [
  ['H100', { instance_type: 'gpu_1x_h100_sxm5' }],
  ['A10', { instance_type: 'gpu_1x_a10' }],
  ['gpu_1x_a100', { instance_type: 'gpu_1x_a100' }],
  ['A100', { instance_type: 'gpu_1x_a100' }],
  ['8x H100', { instance_type: 'gpu_8x_h100_sxm5' }],
];
const GROUP: readonly Slot[] = [
  ['by model', { group_by: 'model' }],
  ['per tenant', { group_by: 'tenant' }],
  ['broken down by backend', { group_by: 'backend' }],
  ['by day', { group_by: 'day' }],
  ['grouped by tier', { group_by: 'tier' }],
  ['per workload', { group_by: 'workload' }],
];
const BASELINE: readonly Slot[] = [
  ['the GPU baseline', { baseline: 'gpu' }],
  ['the always-on GPU fleet', { baseline: 'gpu' }],
  ['running everything on the largest tier', { baseline: 'largest_tier' }],
  ['all serverless', { baseline: 'all_serverless' }],
  ['all GPU', { baseline: 'all_gpu' }],
];
const UNTIL: readonly Slot[] = [
  ['until tomorrow', { until: '2026-12-10' }],
  ['until Friday', { until: '2026-12-11' }],
  ['until 2026-12-31', { until: '2026-12-31' }],
  ['until the end of the week', { until: '2026-12-14' }],
];

const RATE: readonly Slot[] = [
  ['600 requests per minute', { requests_per_minute: 600 }],
  ['50k tokens per minute', { tokens_per_minute: 50000 }],
  ['20 concurrent requests', { concurrent_requests: 20 }],
  ['120 rpm', { requests_per_minute: 120 }],
  ['200,000 tokens/min', { tokens_per_minute: 200000 }],
  ['8 simultaneous requests', { concurrent_requests: 8 }],
];

const SLOTS: Readonly<Record<string, readonly Slot[]>> = {
  rate: RATE,
  period: PERIOD,
  backend: BACKEND,
  n: N,
  tier: TIER,
  workload: WORKLOAD,
  tenant: TENANT,
  amount: AMOUNT,
  window: WINDOW_ADJ,
  wtail: WINDOW_TAIL,
  spct: SPCT,
  gpct: GPCT,
  oid: OVERRIDE_ID,
  iid: INSTANCE_ID,
  count: COUNT,
  itype: ITYPE,
  group: GROUP,
  baseline: BASELINE,
  until: UNTIL,
};

/** intent → phrasing templates; `{slot}` draws from the slot lists above, fixed args after `|`. */
const TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  'usage.report': [
    'Show Lambda Labs usage for {period}',
    'Analyze Lambda usage for {period}',
    'how much did we spend {period}?',
    'usage report {period} {group}',
    'can you show me our usage {group}',
    'give me the token usage for {period}',
    "what's our spend for {period} {group}",
    'usage for tenant {tenant} {period}',
    'show GPU usage {period}|backend=gpu',
    'please pull up the usage numbers for {period}',
    'how many requests did we serve {period}',
    'show me spend {group} for {period}',
    'usage of the {workload} workload {period}',
    'report usage',
    'What did {tenant} use {period}?',
    'show serverless spend for {period}|backend=serverless',
  ],
  'savings.report': [
    'Show cost savings compared to {baseline}',
    'how much have we saved {period}',
    'savings report for {period}',
    'what are our savings versus {baseline}',
    'show savings',
    'how much money did the mesh save us compared to {baseline}?',
    'savings vs {baseline} for {period}',
    'did we save money {period}',
  ],
  'costs.compare': [
    'Compare costs between serverless and GPU',
    'serverless vs gpu cost comparison for {period}',
    'is GPU cheaper than serverless for {workload}?',
    'compare serverless and GPU costs {period}',
    'show the break-even between GPU and serverless',
    'which is cheaper for us, serverless or GPU instances?',
    'cost comparison serverless versus gpu for the {workload} workload',
    'break even analysis',
  ],
  'costs.optimize': [
    'Optimize Lambda costs for this workload',
    'Optimize Lambda costs for {workload}',
    'how can we reduce costs for {workload}?',
    'optimize our costs',
    'suggest ways to cut spend on the {workload} workload',
    'find savings for {workload}',
    'help me lower our inference bill',
    'cost optimization recommendations for {workload}',
    'make {workload} cheaper',
    'optimise spending please',
  ],
  'route.next': [
    'Route next {n} queries to GPU for testing|backend=gpu',
    'route the next {n} requests to {backend}',
    'send the next {n} prompts to {backend}',
    'next {n} calls should go to {backend}',
    'force the next {n} queries onto {backend}',
    'please direct the following {n} requests to {backend}',
    'use {backend} for the next {n} requests',
    'for the next {n} queries use {backend}',
  ],
  'route.pin': [
    'Route complex queries to GPU instance|tier=complex,backend=gpu',
    'route {tier} queries to {backend}',
    'pin {tier} requests to {backend} {until}',
    'send all {tier} prompts to {backend}',
    'pin the {workload} workload to {backend}',
    'route tenant {tenant} to {backend} {until}',
    'always send {workload} traffic to {backend}',
    '{tier} queries should go to {backend}',
    'pin {tenant} to {backend}',
    'move {tier} traffic to {backend} {until}',
  ],
  'traffic.split': [
    'send {spct}% of traffic to serverless',
    'split traffic {spct}% serverless',
    'route {gpct}% of requests to GPU',
    'set the traffic split to {spct} percent serverless',
    'put {gpct} percent of traffic on the GPU instances',
    'serverless should get {spct}% of the traffic',
  ],
  'overrides.list': [
    'list overrides',
    'show the active routing overrides',
    'what overrides are in place?',
    'which pins are active right now',
    'show me all current routing rules',
    'list all the overrides please',
  ],
  'overrides.clear': [
    'clear override {oid}',
    'clear all overrides',
    'remove the override {oid}',
    'delete every routing override',
    'cancel override {oid}',
    'reset routing overrides',
    'unpin everything',
    'drop override {oid} please',
  ],
  'budget.show': [
    'show budget for {tenant}',
    "what's the budget",
    "show {tenant}'s budget",
    'how much budget is left for {tenant}?',
    'show budgets',
    'budget status for tenant {tenant}',
    'what are our spending limits',
    'how close is {tenant} to its budget',
  ],
  'budget.set': [
    "set {tenant}'s {window} budget to {amount}",
    'set the {window} budget to {amount}',
    'set budget for {tenant} to {amount} {wtail}',
    'change the {window} limit for {tenant} to {amount}',
    'raise {tenant} budget to {amount} {wtail}',
    'make the {window} budget {amount} for tenant {tenant}',
    'limit {tenant} to {amount} {wtail}',
    'cap spending at {amount} {wtail}',
  ],
  'ratelimits.show': [
    'show rate limits for {tenant}',
    "what are {tenant}'s rate limits?",
    'show the rate limits',
    'what is the requests per minute limit for tenant {tenant}',
    'rate limits',
    'how many concurrent requests is {tenant} allowed?',
    'list the rate limits in force',
    'current rpm limit of {tenant}',
  ],
  'ratelimits.set': [
    "set {tenant}'s rate limit to {rate}",
    'limit tenant {tenant} to {rate}',
    'rate limit {tenant} at {rate}',
    'give tenant {tenant} {rate}',
    'set the per-key rate limit for {tenant} to {rate}|scope=per_key',
    'change the rate limit of {tenant} to {rate}',
    'raise the limit for {tenant} to {rate} per api key|scope=per_key',
    'throttle {tenant} to {rate}',
  ],
  'breakers.show': [
    'show breakers',
    'show circuit breaker states',
    'are any circuit breakers open?',
    'breaker status for {backend}',
    'which backends are tripped?',
    'check the breakers on {backend}',
  ],
  'gpu.list': [
    'list GPU instances',
    'show our GPU fleet',
    'which GPU instances are running?',
    'how many Lambda instances do we have',
    'list running instances',
    'show me the gpu machines',
  ],
  'gpu.launch': [
    'launch {count} {itype} instances',
    'spin up {count} GPU instances',
    'start a new {itype} instance',
    'provision {count} more {itype} GPUs',
    'launch a GPU instance',
    'bring up {count} {itype} boxes on Lambda',
    'add {count} GPU instances to the fleet',
  ],
  'gpu.terminate': [
    'terminate instance {iid}',
    'shut down GPU instance {iid}',
    'kill instance {iid}',
    'terminate {count} GPU instances',
    'tear down the GPU instance {iid}',
    'stop {count} of the gpu instances',
  ],
};

/** Ordinary prompts (some about GPUs, serverless, costs or Lambda) that must parse as `none`. */
const NEGATIVES: readonly string[] = [
  'Write a haiku about GPUs',
  'Explain serverless vs GPU inference',
  'What is a circuit breaker in electrical engineering?',
  'Tell me a joke about cloud costs',
  'How do GPUs work?',
  'Write a poem about the ocean',
  'Summarize this article about AWS Lambda pricing',
  'What is AWS Lambda?',
  'Translate "good morning" into French',
  'Write a Python function that computes the break-even point of two pricing plans',
  'Why are H100 GPUs so expensive?',
  'Compare the French and German education systems',
  'What are the pros and cons of serverless architectures?',
  'Draft an email to my landlord about the broken heater',
  'How do I set a budget for my household?',
  'Give me a recipe for lasagna',
  'Explain how traffic splitting works in Istio',
  'What is the capital of Australia?',
  'Write a short story about a robot who routes packages',
  'How can I optimize my React app performance?',
  'Which GPU should I buy for gaming?',
  'List the top 5 GPUs for deep learning',
  'Describe the history of NVIDIA',
  'What does a load balancer do?',
  'Write a SQL query that shows usage per customer',
  'Can you help me understand Kubernetes pods?',
  'Generate a limerick about serverless functions',
  'How much does a Tesla Model 3 cost?',
  'Route 66 is a famous highway; tell me about its history',
  'What is the difference between CPU and GPU?',
  'Write a blog post about reducing cloud costs',
  'Explain the lambda calculus',
  'How do I write a lambda function in Python?',
  'Compose a tweet announcing our new product',
  'What is the weather like in Paris in spring?',
  'Solve 2x + 3 = 11',
  'Who won the 2018 World Cup?',
  'Recommend a good book about economics',
  'What is a budget deficit?',
  'Explain what a GPU instance is to a five year old',
  'Write unit tests for a function that splits a string',
  'How do circuit breakers prevent cascading failures in microservices?',
  'Tell me about the Lambda Labs company',
  'Outline a presentation on machine learning inference costs',
  'Convert 100 dollars to euros',
  'What are some tips for saving money on groceries?',
  'Write a cover letter for a data engineer job',
  'Paraphrase: the quick brown fox jumps over the lazy dog',
  'hello',
  'thanks!',
  'How many legs does a spider have?',
  'Is it better to rent or buy a house?',
  'Write a bash script that lists files by size',
  'Summarize the plot of Hamlet',
  'What is the time complexity of quicksort?',
  'Explain the concept of opportunity cost',
  'Create a workout plan for beginners',
  'What are serverless GPUs and who offers them?',
  'Write a product description for a gaming laptop with an RTX 4090',
  'How do I terminate a process in Linux?',
  'Explain how to launch a rocket into orbit',
  'Give me three names for a coffee shop',
  'Describe the water cycle',
  'Write a regex to match email addresses',
  'What is the best way to learn Spanish?',
  'Translate this paragraph into German: the GPU cluster was busy',
  'Help me plan a trip to Japan for next week',
  'Explain gradient descent',
  'What were the main causes of World War I?',
  'Write a function to compare two costs in JavaScript',
  'Summarize the key points of the serverless manifesto',
  'Is Lambda Labs cheaper than AWS for training?',
  'Write a haiku about the next ten days of rain',
  'Tell me a story about a GPU that wanted to be a CPU',
  'Why is the sky blue?',
  'Explain the budget process of the US Congress',
  'Generate a list of interview questions for a DevOps role',
  'What is the meaning of life?',
  'Draft a memo about our office move',
  'What is 15% of 2,500?',
  'Write a song about spending too much money',
  'How do vaccines work?',
  'Proofread: their going to the store tomorow',
  'What is inference in statistics?',
  'Describe a day in the life of a data center technician',
  'Give me an analogy for what a router does on a network',
  'What does breaking even mean for a small business?',
  'Name five famous physicists',
  'How do I reset my password on Gmail?',
  'Explain what the usage-based pricing model means for SaaS companies',
  'Write a children\'s story about sharing',
  'What GPU does the PlayStation 5 use?',
  'Plan a budget-friendly birthday party',
  'Write a cron expression for every Monday at 9am',
  'How do I clear my browser cache?',
  'Explain what overrides are in object-oriented programming',
  'List some healthy breakfast ideas',
  'Write an SQL query to compute monthly spend by department',
  'What are the benefits of meditation?',
  'Debug this code: for i in range(10) print(i)',
  'Create a marketing slogan for a cloud GPU startup',
  'What is the price of gold today?',
  'Describe how serverless cold starts affect latency',
  'Write a limerick about a tenant and a landlord',
  'Who invented the transistor?',
  'Explain the difference between TCP and UDP',
  'Make a shopping list for a week of vegetarian meals',
  'Write a persuasive essay on renewable energy',
  'How does Netflix route traffic between regions?',
  'What should I name my cat?',
  'Give me a summary of the latest GPU architectures',
  'Write a haiku about saving money',
  'Rewrite this sentence to sound more formal: we gotta cut costs',
  'What are GPU tensor cores?',
  'Tell me how to start a vegetable garden',
  'Calculate the compound interest on $2,500 at 5% for 3 years',
  'What is Kubernetes autoscaling?',
  'Write an apology note for missing a meeting',
  'Explain why serverless can be more expensive at high volume',
  'How do I kill a zombie process?',
  'Summarize the last 7 days of news about AI',
  'What happened in tech news this week?',
  'Write a motivational quote',
  'Describe the architecture of a transformer model',
  'How do I switch traffic lanes safely?',
  'Suggest a name for a GPU cluster',
  'Explain rate limiting with a token bucket',
  'How do I handle OpenAI rate limits in Python?',
  'Write a rate limiter middleware for Express',
  'What is the difference between throttling and debouncing?',
];

/** Deterministic slot choice: the k-th expansion of a template takes value (k + offset) of each slot. */
function expand(template: string, k: number): { text: string; args: Record<string, string | number> } {
  const [body, fixed] = template.split('|') as [string, string | undefined];
  const args: Record<string, string | number> = {};
  let slotIndex = 0;
  const text = body.replace(/\{(\w+)\}/g, (_, name: string) => {
    const values = SLOTS[name];
    if (!values) throw new Error(`unknown slot ${name}`);
    const [t, a] = values[(k * 3 + slotIndex++ * 2 + template.length) % values.length]!;
    Object.assign(args, a);
    return t;
  });
  for (const pair of fixed?.split(',') ?? []) {
    const [key, value] = pair.split('=') as [string, string];
    args[key] = value;
  }
  return { text, args };
}

/** Expansions per template: templates without slots appear once. */
const EXPANSIONS = 3;

/**
 * The labelled set: every template expanded up to three times (distinct texts only) and every
 * negative once. Templates and negatives alternate between dev and test by their index.
 */
export function labelledSet(): LabelledPhrase[] {
  const out: LabelledPhrase[] = [];
  for (const [intent, templates] of Object.entries(TEMPLATES)) {
    templates.forEach((template, t) => {
      const split = t % 2 === 0 ? 'dev' : 'test';
      const seen = new Set<string>();
      for (let k = 0; k < (template.includes('{') ? EXPANSIONS : 1); k++) {
        const { text, args } = expand(template, k);
        if (seen.has(text)) continue;
        seen.add(text);
        out.push({ id: `${intent}-${t}-${k}`, text, intent, args, split });
      }
    });
  }
  NEGATIVES.forEach((text, i) => out.push({ id: `none-${i}`, text, intent: 'none', args: {}, split: i % 2 === 0 ? 'dev' : 'test' }));
  return out;
}
