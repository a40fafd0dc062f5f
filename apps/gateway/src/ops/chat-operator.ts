import { Role } from '@sophia/contracts/common';
import type { ChatInput } from '@sophia/contracts/gateway';
import type { RunCommandResponse } from '@sophia/contracts/ops';
import { hasScope, type Caller } from '../api-key-scopes.ts';
import type { Operator } from './operator.ts';

/** The finish reason of a chat answer that was an operator command (no model was called). */
export const OPERATOR_FINISH_REASON = 'operator_command';

/** The last user message's text, or undefined. */
function lastUserText(input: ChatInput): string | undefined {
  const last = [...input.messages].reverse().find((m) => m.role === Role.USER);
  if (!last) return undefined;
  return last.content.trim() === '' ? undefined : last.content;
}

/**
 * Chat's "interpreter first": when the caller opted in (`operator_commands`) and its key has an ops
 * scope, the last user message goes to the operator; an answer other than "not a command" replaces
 * the model's. Undefined = chat as usual. The OpenAI REST routes never call this.
 */
export async function answerAsOperator(operator: Operator | undefined, caller: Caller, input: ChatInput): Promise<RunCommandResponse | undefined> {
  if (!operator || !input.operatorCommands || !hasScope(caller, 'ops:read')) return undefined;
  const text = lastUserText(input);
  if (text === undefined) return undefined;
  const answer = await operator.runText(caller, text);
  return answer.outcome.case === 'notACommand' ? undefined : answer;
}

/** An operator answer as chat text: the summary (and plan instructions, proposals or question). */
export function operatorReplyText(answer: RunCommandResponse): string {
  const o = answer.outcome;
  switch (o.case) {
    case 'result':
      return o.value.summary;
    case 'plan':
      return `Plan ${o.value.id}: ${o.value.summary} Expected effect on cost: ${o.value.costEffect}. Nothing has changed yet — confirm plan ${o.value.id} (OperatorService.ConfirmPlan) to apply it before ${o.value.expiresAt ? new Date(Number(o.value.expiresAt.seconds) * 1000).toISOString() : 'it expires'}.`;
    case 'optimization':
      return [o.value.analysis?.summary ?? '', ...o.value.proposals.map((p) => `- ${p.title}: ≈ $${p.monthlySavingUsd.toFixed(2)}/month${p.plan ? ` (plan ${p.plan.id})` : ''}. ${p.rationale}`)].join('\n');
    case 'clarification':
      return o.value.question;
    default:
      return '';
  }
}
