import type { Command } from '../command-schema.ts';
import type { CommandCandidate } from '../interpret-command.ts';

/**
 * A change the phrase states only in part gets a question instead of a guess: "route the next 10
 * queries" (to which backend?), "pin complex queries" (where?), "split traffic" (how much?).
 */
export function missingArgumentQuestion(command: Command): { question: string; candidates: CommandCandidate[] } | undefined {
  const backends = (args: Record<string, unknown>): CommandCandidate[] =>
    (['gpu', 'serverless'] as const).map((backend) => ({ intent: command.intent, args: { ...args, backend } }));
  switch (command.intent) {
    case 'route.next':
      if (command.args.backend === undefined) return { question: `Route the next ${command.args.n ?? 'N'} requests to which backend: gpu or serverless?`, candidates: backends(command.args) };
      return undefined;
    case 'route.pin':
      if (command.args.backend === undefined) return { question: 'Pin to which backend: gpu or serverless?', candidates: backends(command.args) };
      if (command.args.tier === undefined && command.args.workload === undefined && command.args.tenant === undefined) {
        return {
          question: 'Pin which traffic: a tier (simple, balanced, complex), a workload or a tenant?',
          candidates: (['simple', 'balanced', 'complex'] as const).map((tier) => ({ intent: 'route.pin', args: { ...command.args, tier } })),
        };
      }
      return undefined;
    case 'traffic.split':
      if (command.args.serverless_percent === undefined) return { question: 'What share of traffic should go to serverless (0–100 %)?', candidates: [] };
      return undefined;
    case 'budget.set':
      if (command.args.amount_usd === undefined) return { question: 'Set the budget to how many dollars?', candidates: [] };
      return undefined;
    case 'ratelimits.set': {
      const a = command.args;
      if (a.requests_per_minute === undefined && a.tokens_per_minute === undefined && a.concurrent_requests === undefined) {
        return { question: 'Set which limit: requests per minute, tokens per minute or concurrent requests (and to what)?', candidates: [] };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
