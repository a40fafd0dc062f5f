import type { CommandIntent } from '../command-schema.ts';
import type { Phrase } from '../text/phrase.ts';
import { RATE_LIMIT_WORDS } from '../slots/extract-rate-limits.ts';

/** One intent the phrase may mean, with how strongly (higher = more specific evidence). */
export interface IntentCandidate {
  readonly intent: CommandIntent;
  readonly score: number;
}

/** Openings of creative and editing requests: never a command, whatever they mention. */
const CREATIVE_OPENING = /^(write|compose|draft|rewrite|paraphrase|proofread|translate|tell me (a|an) (joke|story)|what (is|are) (a|an)|who|why)\b|^summari[sz]e (the following|this (email|text|document|article|paragraph|message|thread|memo|policy|note|report|page))\b/;
/** Words that only ordinary prompts use. */
const ORDINARY_MARKER = /\b(haiku|poem|limerick|story|essay|joke|song|recipe|tweet|blog post|cover letter|slogan|in python|python|javascript|regex|sql query|bash script|cron expression|unit tests|pros and cons|difference between|to a five year old|for gaming|playstation|best way|in general|lambda calculus|lambda function|calculus|istio|object-oriented|world war|household|groceries|landlord|news|interview questions|template|templates|of the word|in my house|at home)\b/;
/** Openings of explanatory or general-knowledge questions: a command only when they talk about *our* mesh. */
const GENERAL_OPENING = /^(explain|describe|summari[sz]e (this|the|that|a|an|key)|debug|solve|convert|name|recommend|outline|plan a|make a|teach|define|generate|create (a|an)|tell me|help me (understand|write|plan|learn)|give me (a|an|three|some|\d+) (recipe|name|names|list|summary|analogy|idea|ideas|tip|tips|example)|when did|where|is it|should i|how to|how (do|does|can) \S+|what (is|are|was|were|does|do) (the (capital|meaning|price|cost|difference|best|history|weather|time|plot)|gpu|serverless|aws|lambda|inference|kubernetes|circuit|some|the benefits|the pros|the main|15|\d)|list (the )?(top|best|some|healthy)|list (three|two|four|five|\d+|some|a few) (ways|tips|ideas|reasons|examples|things)|what (does|do) \S+( \S+)? mean|how much (does|do|would|will|is) (it|a|an|the|one)|calculate)\b/;
/** What makes a general-looking phrase about this mesh. */
const OURS = /\b(our|ours|we|us|the mesh|sophia|tenant \S+|my (usage|spend|budget|bill|gpu fleet|fleet|overrides)|usage report|savings report)\b/;

/** True when the phrase reads as an ordinary prompt rather than an instruction to the mesh. */
export function looksOrdinary(p: Phrase): boolean {
  const t = p.text;
  if (CREATIVE_OPENING.test(t) || ORDINARY_MARKER.test(t)) return true;
  return GENERAL_OPENING.test(t) && !OURS.test(t);
}

const rx = (re: RegExp) => (p: Phrase) => re.test(p.text);
const nextN = rx(/\b(next|following|first|upcoming)( \d+| few)? (queries|query|requests?|prompts?|calls?|completions?|messages|jobs?|questions?)\b|\bnext \d+\b|\b\d+ (more )?(queries|requests|prompts|calls|completions)\b/);
const percent = rx(/\d+(\.\d+)?%|\d+ (percent|per cent)\b|\b\d{1,3}\/\d{1,3}\b|\b(half|a quarter|a third|three quarters) (of )?(the |our )?(traffic|requests|queries|prompts|calls)\b/);
/** A question, not an instruction: interrogative mood never creates a change. */
const QUESTION = /^(is|are|was|were|do|does|did|have|has|what|which|who|how|any|anything|can|could|would|should|will)\b/;
/** Talks about this mesh (we, our, a tenant…) rather than about GPUs or costs in general. */
const ABOUT_US = (p: Phrase): boolean => OURS.test(p.text) || p.has('ours');
const showVerb = (p: Phrase) => p.has('show') || /^(what|which|how|are|is|do|did|does|have|has|any|where)\b/.test(p.text) || /\b(what|how much|how many|how close|tell me)\b/.test(p.text);

type Rule = { intent: CommandIntent; score: (p: Phrase) => number };

/** Ending a routing change: a stop/no-longer verb governing a routing gerund ("stop sending X to …", "no longer pin …"). */
const STOP_ROUTING = /\b(stop|quit|cease|halt|no longer)( \S+)? (routing|sending|pinning|forcing|steering|directing|redirecting|pushing|moving|shifting|putting|keeping)\b|\b(do not|never) (route|send|pin|force|steer|direct|redirect|push|move|shift|put|keep)\b/;

/**
 * The intent rules. Each returns 0 (does not apply) or a score; more specific evidence scores
 * higher, so "clear the overrides" beats "list overrides" and "set the budget to $5" beats "show budget".
 */
const RULES: readonly Rule[] = [
  {
    intent: 'route.next',
    score: (p) => (nextN(p) && (p.has('route') || p.has('gpu') || p.has('serverless')) && !percent(p) ? 9 : 0),
  },
  {
    intent: 'traffic.split',
    // A share of traffic with a backend named is a split ("10% to gpu, rest serverless").
    score: (p) => (percent(p) && (p.has('requests') || p.has('split') || p.has('route') || /\b(gpu|gpus|serverless)\b/.test(p.text)) && (p.has('gpu') || p.has('serverless') || p.has('split')) && !p.has('budget') ? 8 : 0),
  },
  {
    intent: 'route.pin',
    score: (p) => {
      if (nextN(p) || percent(p) || p.has('clear') && p.has('overrides') || QUESTION.test(p.text)) return 0;
      const target = /\b(to|onto|on|via|through|use|using) (the )?(lambda )?(gpu|gpus|serverless|pay-per-token|instances?|providers?|dedicated|vllm)\b|\b(pin|pinned|keep|lock|stick)\b.*\b(gpu|serverless)\b|\bshould (go|run|be served) (to|on) (the )?(gpu|serverless)\b/.test(p.text);
      if (!target) return 0;
      // "saved money compared to running everything on GPU" talks about routing, it does not ask for it.
      const explicit = /\b(route|send|pin|move|direct|force|steer|redirect|push|put|keep|switch|shift|should (go|run|be served))\b/.test(p.text);
      if (!explicit && /\b(save|saved|saving|savings|compared|comparison|cheaper|cost|costs|spend|spent|spending|usage|pay|paid|bill)\b/.test(p.text)) return 0;
      return p.has('route') || p.has('pin') ? 7 : 5;
    },
  },
  {
    intent: 'overrides.clear',
    score: (p) => {
      // "Stop routing complex prompts to the GPU" ends a routing change; it never stops an instance.
      if (STOP_ROUTING.test(p.text)) return 9;
      // "go back to automatic routing", "return to the default routing".
      if (/\b(back to|return to|revert to|restore)\b.*\b(automatic|normal|default|policy|usual)\b/.test(p.text) && /\b(routing|routes?|traffic)\b/.test(p.text)) return 8;
      return (p.has('clear') && (p.has('overrides') || /\b(routing|routes?|pins?)\b/.test(p.text))) || /\bunpin\b/.test(p.text) ? 8 : 0;
    },
  },
  {
    intent: 'overrides.list',
    score: (p) => {
      // "is anything pinned to the GPU right now" asks about pins; it does not make one.
      if (QUESTION.test(p.text) && /\b(pinned|pins?|overridden|overrides?)\b/.test(p.text) && !p.has('clear')) return 6;
      return p.has('overrides') && !p.has('clear') && (showVerb(p) || p.words.length <= 3) && !p.has('budget') ? 6 : 0;
    },
  },
  {
    intent: 'budget.set',
    score: (p) => {
      const money = /\$|\d+(\.\d+)? ?(dollars?|usd|bucks)\b|\busd \d/.test(p.text);
      return money && (p.has('budget') || /\b(limit|cap)\b/.test(p.text)) && (p.has('set') || /\bto\b|\bat\b/.test(p.text)) ? 8 : 0;
    },
  },
  {
    intent: 'budget.show',
    score: (p) => (p.has('budget') && !/\$\d|\d (dollars|usd)/.test(p.text) && (showVerb(p) || /\b(left|remaining|status|headroom|close)\b/.test(p.text) || p.words.length <= 3) ? 6 : 0),
  },
  {
    intent: 'ratelimits.set',
    // Rate vocabulary, a number and a verb of setting; dollars make it a budget, a question a read.
    score: (p) => {
      if (!RATE_LIMIT_WORDS.test(p.text) || QUESTION.test(p.text) || /\$|\b(dollars?|usd|bucks|budgets?)\b/.test(p.text)) return 0;
      if (/^(set|change|raise|increase|lower|reduce|decrease|update|adjust|bump|lift|restrict)\b/.test(p.text)) return 9;
      return /\b\d/.test(p.text) && /\b(set|change|raise|increase|lower|reduce|decrease|limit|cap|throttle|allow|give|make|update|adjust|bump|drop|lift|restrict|to|at)\b/.test(p.text) ? 9 : 0;
    },
  },
  {
    intent: 'ratelimits.show',
    score: (p) => {
      // "limit" and "allowed" also signal budgets: only the word budget itself makes it one.
      if (!RATE_LIMIT_WORDS.test(p.text) || /\bbudgets?\b/.test(p.text)) return 0;
      const setting = /\b\d/.test(p.text) && !QUESTION.test(p.text);
      return !setting && (showVerb(p) || p.words.length <= 4 || /\b(current|currently|in force|allowed|configured|now)\b/.test(p.text)) ? 7 : 0;
    },
  },
  {
    intent: 'breakers.show',
    score: (p) => (p.has('breakers') || /\b(backends?|upstreams?|providers?|gpus?|serverless) (are |is )?(down|up|healthy|unhealthy|failing|tripped|degraded|working|available|responding|ok|okay)\b|\bwhich backends are\b/.test(p.text) ? 7 : 0),
  },
  {
    intent: 'gpu.launch',
    score: (p) => {
      // A phrasal verb may take its object between verb and particle ("scale the fleet up by 2").
      if (/\bscale\b(\s\S+){0,4}\s(down|in)\b/.test(p.text)) return 0;
      const verb = /\b(launch|spin up|spin|start|provision|boot|create|add|deploy|allocate|rent|scale up|bring up|fire up|bring online)\b|\bscale\b(\s\S+){0,4}\s(up|out)\b/.test(p.text);
      const noun = p.has('fleet') || /\b(gpu|gpus|h100|a100|a10|gh200|gpu_\S+)\b/.test(p.text);
      return verb && noun && !p.has('usage') && !p.has('cost') ? 8 : 0;
    },
  },
  {
    intent: 'gpu.terminate',
    score: (p) => {
      const verb = /\b(terminate|kill|stop|destroy|tear down|tear|shut down|shut|shutdown|release|decommission|delete|remove|deprovision|scale down|turn off)\b|\bscale\b(\s\S+){0,4}\s(down|in)\b/.test(p.text);
      const noun = /\b(instances?|machines?|box(es)?|nodes?|servers?|gpus?|vms?|fleet)\b/.test(p.text) || /\b[0-9a-f]{16,}\b/.test(p.text);
      return verb && noun && !p.has('overrides') && !p.has('budget') ? 8 : 0;
    },
  },
  {
    intent: 'gpu.list',
    score: (p) => {
      if (!(p.has('fleet') || /\bgpus\b/.test(p.text)) || p.has('usage') || p.has('cost') || p.has('savings')) return 0;
      // A question about GPUs in general ("how many GPUs does it take to train…") is not about our fleet.
      if (QUESTION.test(p.text) && !ABOUT_US(p) && !/\b(running|active|up|alive|status)\b/.test(p.text)) return 0;
      return showVerb(p) || /\b(running|active|up|alive|status)\b/.test(p.text) ? 5 : 0;
    },
  },
  {
    intent: 'costs.optimize',
    score: (p) => {
      const verb = /\b(optimi[sz]e|optimi[sz]ation|optimi[sz]ing|reduce|cut|lower|minimi[sz]e|trim|shrink|slash|decrease|save money|find savings|savings opportunities|recommendations?|suggestions?|suggest ways|cheaper|efficient|spend less|pay less)\b/.test(p.text);
      const what = p.has('cost') || /\b(bill|spend|spending|savings|cheaper|efficient|costs?)\b/.test(p.text);
      if (!verb || !what) return 0;
      // "is GPU cheaper than serverless" is a comparison, not a request to optimise.
      if (/\bcheaper than\b|\bwhich is cheaper\b/.test(p.text) && !/\boptimi/.test(p.text)) return 0;
      return 7;
    },
  },
  {
    intent: 'costs.compare',
    score: (p) => {
      const both = /\bserverless\b/.test(p.text) && /\b(gpu|gpus|instances?|dedicated)\b/.test(p.text);
      const cmp = p.has('compare') || /\bbreak[- ]?even\b|\bor\b/.test(p.text);
      // Break-even of the two backends, not of buying a house.
      if (/\bbreak[- ]?even\b/.test(p.text)) return p.has('gpu') || p.has('serverless') || ABOUT_US(p) || p.raws.some((r) => /^[a-z0-9]+-[a-z0-9-]+$/i.test(r) && !/^break-even$/i.test(r)) ? 7 : 0;
      // A comparative between the two backends ("would we pay less on GPUs than on serverless").
      const comparative = /\b(less|more|cheaper|costlier|expensive)\b.*\bthan\b/.test(p.text);
      return both && (cmp || comparative) && (p.has('cost') || comparative || /\b(cheaper|compare|comparison|vs|versus)\b/.test(p.text)) ? 7 : 0;
    },
  },
  {
    intent: 'savings.report',
    score: (p) => (p.has('savings') && !/\bfind savings|savings opportunities\b/.test(p.text) && (showVerb(p) || /\b(savings|saved)\b/.test(p.text)) ? 6 : 0),
  },
  {
    intent: 'usage.report',
    score: (p) => {
      const noun = p.has('usage') || /\b(requests|tokens|queries)\b.*\b(served|handled|processed|did we|have we)\b|\bhow many (requests|queries|tokens|calls)\b|\bspend\b|\bcosts?\b/.test(p.text);
      if (!noun) return 0;
      // "how many requests per second can an A100 handle", "what is the cost of electricity": not about us.
      if (QUESTION.test(p.text) && !ABOUT_US(p) && !p.has('usage') && !/\b(served|handled|processed)\b/.test(p.text)) return 0;
      return showVerb(p) || /\b(usage|report|spend|spent)\b/.test(p.text) ? 4 : 0;
    },
  },
];

/** Every intent whose rule applies, best first (ties keep the table's order). */
export function classifyIntent(p: Phrase): IntentCandidate[] {
  const hits: IntentCandidate[] = [];
  for (const rule of RULES) {
    const score = rule.score(p);
    if (score > 0) hits.push({ intent: rule.intent, score });
  }
  return hits.sort((a, b) => b.score - a.score);
}
