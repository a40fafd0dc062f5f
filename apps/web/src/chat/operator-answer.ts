import { timestampMs, type Value } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { PlanStatus, type CommandResult, type OperatorService, type Plan, type RunCommandResponse } from '@sophia/contracts/ops';
import { el, replaceChildren } from '../ui/el.ts';

/** A cell of an operator table as text (numbers as the gateway sent them, with separators). */
function cellText(v: Value): string {
  switch (v.kind.case) {
    case 'numberValue':
      return v.kind.value.toLocaleString('en-US', { maximumFractionDigits: 6 });
    case 'stringValue':
      return v.kind.value;
    case 'boolValue':
      return v.kind.value ? 'yes' : 'no';
    case 'nullValue':
    case undefined:
      return '—';
    default:
      return JSON.stringify(v.kind.value);
  }
}

/** A result column's key ("previous_limit_usd") as a header a person reads ("Previous limit (USD)"). */
export function columnLabel(key: string): string {
  const units: Record<string, string> = { usd: 'USD', ms: 'ms', pct: '%', percent: '%' };
  const words = key.split('_').filter(Boolean);
  const unit = words.length > 1 ? units[words[words.length - 1]!] : undefined;
  const text = (unit ? words.slice(0, -1) : words).join(' ');
  const label = text.charAt(0).toUpperCase() + text.slice(1);
  return unit ? `${label} (${unit})` : label;
}

/** A read's answer: its summary line and the table behind it. */
export function resultNode(result: CommandResult): HTMLElement {
  const table = result.table;
  return el(
    'div',
    { class: 'command-result' },
    el('p', {}, result.summary),
    table && table.rows.length > 0
      ? el(
          'table',
          {},
          el('thead', {}, el('tr', {}, ...table.columns.map((c) => el('th', { scope: 'col' }, columnLabel(c))))),
          el('tbody', {}, ...table.rows.map((r) => el('tr', {}, ...r.cells.map((c) => el('td', { class: c.kind.case === 'numberValue' ? 'num' : undefined }, cellText(c)))))),
        )
      : null,
  );
}

function planStatusText(plan: Plan): string {
  switch (plan.status) {
    case PlanStatus.APPLIED:
      return `Applied${plan.appliedAt ? ` at ${new Date(timestampMs(plan.appliedAt)).toLocaleTimeString()}` : ''}${plan.auditId ? ` (audit ${plan.auditId})` : ''}`;
    case PlanStatus.EXPIRED:
      return 'Expired without being applied';
    default:
      return plan.expiresAt ? `Pending — expires at ${new Date(timestampMs(plan.expiresAt)).toLocaleTimeString()}` : 'Pending';
  }
}

/**
 * A plan as a card: what will change, its cost effect, its expiry; Confirm applies it once
 * (ConfirmPlan) when the key may write, then the card shows what the change did.
 */
export function planCard(plan: Plan, ops: Client<typeof OperatorService>, canWrite: boolean): HTMLElement {
  const status = el('p', { class: 'plan-status', role: 'status' }, planStatusText(plan));
  const outcome = el('div', { class: 'plan-outcome' });
  const confirm = el('button', { type: 'button', class: 'plan-confirm', disabled: !canWrite || plan.status !== PlanStatus.PENDING }, 'Confirm');
  const card = el(
    'section',
    { class: 'plan-card', 'aria-label': 'Plan', 'data-plan-id': plan.id, 'data-plan-status': PlanStatus[plan.status] ?? '' },
    el('h3', {}, 'Plan'),
    el('p', { class: 'plan-summary' }, plan.summary),
    plan.costEffect ? el('p', { class: 'figure-note' }, `Cost effect: ${plan.costEffect}`) : null,
    status,
    canWrite ? confirm : el('p', { class: 'help' }, 'This key may read but not change (it needs ops:write).'),
    outcome,
  );
  confirm.addEventListener('click', () => {
    confirm.disabled = true;
    ops.confirmPlan({ planId: plan.id }).then(
      (res) => {
        const applied = res.plan ?? plan;
        card.dataset['planStatus'] = PlanStatus[applied.status] ?? '';
        status.textContent = planStatusText(applied);
        // Applied once: the button has done its job and goes, so nobody looks for a second click.
        if (applied.status === PlanStatus.APPLIED) confirm.remove();
        if (res.result) replaceChildren(outcome, resultNode(res.result));
      },
      (err: unknown) => {
        const e = ConnectError.from(err);
        status.textContent = `Not applied: ${e.rawMessage}`;
        confirm.disabled = e.code !== Code.Unavailable;
      },
    );
  });
  return card;
}

/** What an operator command answered, for the chat to show; undefined when the text is a prompt. */
export function operatorAnswerNode(res: RunCommandResponse, ops: Client<typeof OperatorService>, canWrite: boolean): HTMLElement | undefined {
  const o = res.outcome;
  const intent = res.command?.intent ? el('p', { class: 'figure-note' }, `Command: ${res.command.intent}`) : null;
  switch (o.case) {
    case 'result':
      return el('div', { class: 'operator-answer' }, intent, resultNode(o.value));
    case 'plan':
      return el('div', { class: 'operator-answer' }, intent, planCard(o.value, ops, canWrite));
    case 'clarification':
      return el('div', { class: 'operator-answer' }, el('p', {}, o.value.question), el('ul', {}, ...o.value.candidates.map((c) => el('li', {}, `${c.intent} ${JSON.stringify(c.args ?? {})}`))));
    case 'optimization':
      return el(
        'div',
        { class: 'operator-answer' },
        intent,
        o.value.analysis ? resultNode(o.value.analysis) : null,
        ...o.value.proposals.map((p) =>
          el('div', { class: 'proposal' }, el('h3', {}, p.title), el('p', {}, p.rationale), el('p', { class: 'figure-note' }, `Saves about $${p.monthlySavingUsd.toFixed(2)} a month`), p.plan ? planCard(p.plan, ops, canWrite) : null),
        ),
      );
    default:
      return undefined;
  }
}
