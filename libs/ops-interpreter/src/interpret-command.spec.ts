import { interpretCommand, interpretationLine, type Interpretation } from './interpret-command.ts';

const now = new Date('2026-12-09T10:00:00Z'); // a Wednesday
const parse = (text: string, timeZone = 'UTC'): Interpretation => interpretCommand(text, { now, timeZone });
const line = (text: string, timeZone = 'UTC') => interpretationLine(parse(text, timeZone));

describe('interpretCommand: the issue headline phrasings', () => {
  it.each([
    ['Optimize Lambda costs for this workload', 'costs.optimize', {}],
    ['Analyze Lambda usage for last 7 days', 'usage.report', { from: '2026-12-03', to: '2026-12-10' }],
    ['Route complex queries to GPU instance', 'route.pin', { backend: 'gpu', tier: 'complex' }],
    ['Show cost savings compared to GPU baseline', 'savings.report', { baseline: 'gpu' }],
    ['Optimize Lambda costs for daily reporting', 'costs.optimize', { workload: 'daily-reporting' }],
    ['Show Lambda Labs usage for this week', 'usage.report', { from: '2026-12-07', to: '2026-12-14' }],
    ['Route next 10 queries to GPU for testing', 'route.next', { n: 10, backend: 'gpu' }],
    ['Compare costs between serverless and GPU', 'costs.compare', {}],
  ])('%s', (text, intent, args) => {
    const got = parse(text);
    expect(got.kind).toBe('command');
    expect(interpretationLine(got)).toEqual({ intent, args });
  });
});

describe('interpretCommand: paraphrase, typos, politeness, numbers, amounts', () => {
  it.each([
    ['hey could you pls route the next twenty requests to serverless, thanks!', 'route.next', { n: 20, backend: 'serverless' }],
    ['ROUTE NEXT TWENTY-FIVE QUERIES TO GPU', 'route.next', { n: 25, backend: 'gpu' }],
    ['shwo me the usaeg for yesterday', 'usage.report', { from: '2026-12-08', to: '2026-12-09' }],
    ["set acme's monthly budget to $2,500", 'budget.set', { tenant: 'acme', amount_usd: 2500, window: 'monthly' }],
    ['limit globex to 7.50 dollars per day', 'budget.set', { tenant: 'globex', amount_usd: 7.5, window: 'daily' }],
    ['send 30% of traffic to GPU', 'traffic.split', { serverless_percent: 70 }],
    ['usage last month by model', 'usage.report', { from: '2026-11-01', to: '2026-12-01', group_by: 'model' }],
    ['pin the support-bot workload to serverless until Friday', 'route.pin', { backend: 'serverless', workload: 'support-bot', until: '2026-12-11' }],
    ['clear override ovr_1a2b3c4d5e6f', 'overrides.clear', { id: 'ovr_1a2b3c4d5e6f' }],
    ['launch 2 8x H100 instances', 'gpu.launch', { count: 2, instance_type: 'gpu_8x_h100_sxm5' }],
    ['are any circuit breakers open?', 'breakers.show', {}],
  ])('%s', (text, intent, args) => {
    expect(line(text)).toEqual({ intent, args });
  });

  it('reads "this week" in SOPHIA_BUDGET_TIMEZONE: late Sunday in Los Angeles is still last ISO week', () => {
    const sundayEvening = new Date('2026-12-14T03:00:00Z'); // Sunday 19:00 in Los Angeles, Monday in UTC
    const la = interpretationLine(interpretCommand('usage this week', { now: sundayEvening, timeZone: 'America/Los_Angeles' }));
    const utc = interpretationLine(interpretCommand('usage this week', { now: sundayEvening, timeZone: 'UTC' }));
    expect(la.args).toEqual({ from: '2026-12-07', to: '2026-12-14' });
    expect(utc.args).toEqual({ from: '2026-12-14', to: '2026-12-21' });
  });
});

describe('interpretCommand: ordinary prompts are not commands', () => {
  it.each([
    'Write a haiku about GPUs',
    'Explain serverless vs GPU inference',
    'What is AWS Lambda?',
    'How do I set a budget for my household?',
    'Rewrite this sentence: we should cut costs',
    'Summarize the last 7 days of news about AI',
  ])('%s', (text) => {
    expect(parse(text)).toEqual({ kind: 'none' });
  });
});

describe('interpretCommand: bad input and missing pieces', () => {
  it('refuses empty, oversized and control-character text naming the problem', () => {
    expect(parse('   ')).toEqual({ kind: 'rejected', problem: 'text: must not be empty' });
    expect(parse('a'.repeat(100 * 1024))).toMatchObject({ kind: 'rejected', problem: expect.stringContaining('too long') });
    expect(parse('show usage\u0007')).toEqual({ kind: 'rejected', problem: 'text: must not contain control characters' });
  });

  it('keeps what was said but reports n of 0, negative and absurd amounts, future periods', () => {
    expect(parse('route the next 0 queries to gpu')).toMatchObject({ kind: 'invalid', intent: 'route.next', problem: 'n: must be at least 1' });
    expect(parse('set the monthly budget to $50,000,000')).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/^amount_usd: must be at most/) });
    expect(parse('usage for next week')).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/^from: the period starts in the future/) });
    expect(parse('pin complex queries to gpu until 2026-01-01')).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/^until: 2026-01-01 is not in the future/) });
  });

  it('asks which backend when a route names none, offering both', () => {
    const got = parse('route the next 5 queries');
    expect(got).toMatchObject({ kind: 'clarify', question: expect.stringContaining('which backend') });
    expect(got.kind === 'clarify' && got.candidates.map((c) => c.args)).toEqual([
      { n: 5, backend: 'gpu' },
      { n: 5, backend: 'serverless' },
    ]);
    expect(interpretationLine(got)).toEqual({ intent: 'route.next', args: { n: 5 } });
  });
});

describe('minus signs and names the typo corrector would bend', () => {
  const at = { now: new Date('2026-12-05T10:00:00Z'), timeZone: 'UTC' };
  it.each([
    ['Set a monthly budget of -$50 for tenant acme', 'budget.set', 'amount_usd', -50],
    ['set budget of minus 20 USD for acme', 'budget.set', 'amount_usd', -20],
    ['route next -5 queries to gpu', 'route.next', 'n', -5],
  ])('%s is refused naming %s', (text, intent, field, value) => {
    const i = interpretCommand(text, at);
    expect(i.kind).toBe('invalid');
    if (i.kind !== 'invalid') return;
    expect(i.intent).toBe(intent);
    expect(i.problem.startsWith(`${field}:`)).toBe(true);
    expect(i.args[field as string]).toBe(value);
  });

  it('keeps a tenant whose name looks like a keyword ("tenantB")', () => {
    const i = interpretCommand('show usage for tenant tenantB this week', at);
    expect(i.kind).toBe('command');
    if (i.kind === 'command') expect(i.command.args).toMatchObject({ tenant: 'tenantb' });
  });
});


describe('session-5 defects and general English', () => {
  it.each([
    ['Stop routing complex prompts to the GPU', 'overrides.clear', {}],
    ['stop sending simple queries to serverless', 'overrides.clear', {}],
    ["don't route complex queries to gpu any more", 'overrides.clear', {}],
    ['set acme daily budget to $0.004', 'budget.set', { tenant: 'acme', amount_usd: 0.004, window: 'daily' }],
    ['usage since Dec 1', 'usage.report', { from: '2026-12-01', to: '2026-12-10' }],
    ['usage on December 3rd', 'usage.report', { from: '2026-12-03', to: '2026-12-04' }],
    ['usage from Nov 3 to Nov 10 by model', 'usage.report', { from: '2026-11-03', to: '2026-11-10', group_by: 'model' }],
    ['usage last quarter', 'usage.report', { from: '2026-07-01', to: '2026-10-01' }],
    ['week to date usage', 'usage.report', { from: '2026-12-07', to: '2026-12-10' }],
    ["break down yesterday's usage by model", 'usage.report', { from: '2026-12-08', to: '2026-12-09', group_by: 'model' }],
    ['pin complex queries to gpu until Dec 20', 'route.pin', { tier: 'complex', backend: 'gpu', until: '2026-12-20' }],
  ])('%s', (text, intent, args) => {
    expect(line(text)).toEqual({ intent, args });
  });

  it('stopping an instance is still gpu.terminate', () => {
    expect(line('stop instance i-0abc123')).toEqual({ intent: 'gpu.terminate', args: { instance_id: 'i-0abc123' } });
  });
});

describe('the trained model decides only where the rules do not', () => {
  const sure = (label: string, p: number) => ({ predict: () => [{ label, p }, { label: 'none', p: 1 - p }] });
  const nothingMatches = 'cluster overview';

  it('names an intent the rules missed when it is sure, never below the bar; null means rules only', () => {
    expect(interpretCommand(nothingMatches, { now, timeZone: 'UTC', model: null })).toEqual({ kind: 'none' });
    expect(interpretationLine(interpretCommand(nothingMatches, { now, timeZone: 'UTC', model: sure('gpu.list', 0.9) }))).toEqual({ intent: 'gpu.list', args: {} });
    expect(interpretCommand(nothingMatches, { now, timeZone: 'UTC', model: sure('gpu.list', 0.4) })).toEqual({ kind: 'none' });
  });

  it('never overrides a rule that decided, and never turns an ordinary prompt into a command', () => {
    expect(interpretationLine(interpretCommand('clear all overrides', { now, timeZone: 'UTC', model: sure('gpu.launch', 0.99) })).intent).toBe('overrides.clear');
    expect(interpretCommand('Write a haiku about GPUs', { now, timeZone: 'UTC', model: sure('gpu.launch', 0.99) })).toEqual({ kind: 'none' });
  });

  it('the model it decides with is validated like any reading: wrong arguments are still refused', () => {
    expect(interpretCommand('cluster overview for -3', { now, timeZone: 'UTC', model: sure('budget.set', 0.99) })).toMatchObject({ kind: 'clarify' });
  });
});

describe('general English: questions, phrasal verbs, fractions, comparatives', () => {
  it.each([
    ['is anything pinned to the GPU right now', 'overrides.list', {}],
    ['scale the GPU fleet up by 2', 'gpu.launch', { count: 2 }],
    ['scale the fleet down by one', 'gpu.terminate', { count: 1 }],
    ['put a quarter of the traffic on the GPU', 'traffic.split', { serverless_percent: 75 }],
    ['10% to gpu, rest serverless', 'traffic.split', { serverless_percent: 90 }],
    ['would we pay less on dedicated GPUs than on serverless', 'costs.compare', {}],
    ['show the serverless-vs-gpu cost breakdown', 'costs.compare', {}],
    ['go back to automatic routing', 'overrides.clear', {}],
    ['are the serverless providers healthy', 'breakers.show', { backend: 'serverless' }],
    ['usage report grouped by backend and tier', 'usage.report', { group_by: 'backend,tier' }],
    ['spend per tenant', 'usage.report', { group_by: 'tenant' }],
    ['how much headroom does stark have on its budget', 'budget.show', { tenant: 'stark' }],
    ['keep globex on serverless', 'route.pin', { tenant: 'globex', backend: 'serverless' }],
  ])('%s', (text, intent, args) => {
    expect(line(text)).toEqual({ intent, args });
  });

  it.each([
    'How many GPUs does it take to train GPT-3?',
    'how many requests per second can a single A100 handle with vLLM',
    'What is the cost of electricity per kWh in Germany?',
    "What's the break-even point for buying vs renting a house?",
    'how to cap a bottle of homemade wine',
    'How do breakers differ from fuses?',
    'Summarize this email about our budget meeting',
  ])('%s is not a command', (text) => {
    expect(parse(text)).toEqual({ kind: 'none' });
  });
});

describe('interpretCommand: rate limits (read and plan), never mistaken for budgets', () => {
  it.each([
    ["set acme's rate limit to 600 requests per minute and 20 concurrent requests", 'ratelimits.set', { tenant: 'acme', requests_per_minute: 600, concurrent_requests: 20 }],
    ['limit tenant globex to 50k tokens/min', 'ratelimits.set', { tenant: 'globex', tokens_per_minute: 50000 }],
    ['set per-key rpm for acme to 120', 'ratelimits.set', { tenant: 'acme', scope: 'per_key', requests_per_minute: 120 }],
    ['lower the per-key rate limit of acme to 30 requests per minute', 'ratelimits.set', { tenant: 'acme', scope: 'per_key', requests_per_minute: 30 }],
    ['change the rate limit of globex to 300', 'ratelimits.set', { tenant: 'globex', requests_per_minute: 300 }],
    ['set concurrency for initech to 0', 'ratelimits.set', { tenant: 'initech', concurrent_requests: 0 }],
    ['show rate limits for initech', 'ratelimits.show', { tenant: 'initech' }],
    ['how many concurrent requests is globex allowed?', 'ratelimits.show', { tenant: 'globex' }],
    ['rate limits', 'ratelimits.show', {}],
    ['limit acme to $500 a month', 'budget.set', { tenant: 'acme', amount_usd: 500, window: 'monthly' }],
  ])('%s', (text, intent, args) => {
    expect(line(text)).toEqual({ intent, args });
  });

  it('asks which limit when a change names none, and reads general questions about rate limiting as prompts', () => {
    expect(parse('set the rate limit for acme')).toMatchObject({ kind: 'clarify', said: { intent: 'ratelimits.set', args: { tenant: 'acme' } } });
    expect(parse('Explain rate limiting with a token bucket').kind).toBe('none');
    expect(parse('How do I handle OpenAI rate limits in Python?').kind).toBe('none');
  });
});
