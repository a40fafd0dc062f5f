import { randomBytes } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import { create } from '@bufbuild/protobuf';
import {
  ConfirmPlanResponseSchema,
  RunCommandResponseSchema,
  type CommandResult,
  type ConfirmPlanResponse,
  type Optimization,
  type Plan,
  type RunCommandResponse,
} from '@sophia/contracts/ops';
import { checkCommandTiming, dateInZone, interpretCommand, validateCommand, WRITE_INTENTS, type Command, type CommandIntent } from '@sophia/ops-interpreter';
import { actorOf, hasScope, requireScope, type Caller } from '../api-key-scopes.ts';
import type { OperatorContext } from './operator-context.ts';
import { optimizeCosts } from './optimize-costs.ts';
import { commandToProto, planToProto } from './plan-proto.ts';
import type { PlanRecord } from './plans/plan-store.ts';
import { compareCosts, ledgerOf, listOverrides, savingsReport, showBreakers, showBudget, usageReport } from './read-commands.ts';
import { listGpuInstances } from './gpu-commands.ts';
import { showRateLimits } from './rate-limit-commands.ts';
import { applyChange, isWriteCommand, planChange, type WriteCommand } from './write-commands.ts';

/** What a command answers: a read's result, a write's plan, or an optimisation with its plans. */
export type CommandOutcome =
  | { readonly kind: 'result'; readonly result: CommandResult }
  | { readonly kind: 'plan'; readonly plan: Plan }
  | { readonly kind: 'optimization'; readonly optimization: Optimization };

/** The operator API's behaviour, independent of transport (Connect handler, REST routes, chat). */
export interface Operator {
  /** Validates and runs a typed command: reads answer now, writes answer a stored plan. */
  execute(caller: Caller, intent: CommandIntent, args: unknown): Promise<CommandOutcome>;
  /** Plain English → the same, or a clarification / "not a command". */
  runText(caller: Caller, text: string): Promise<RunCommandResponse>;
  /** Applies a plan once, audited. */
  confirm(caller: Caller, planId: string): Promise<ConfirmPlanResponse>;
  getPlan(caller: Caller, planId: string): Promise<Plan>;
  /** Stores a plan for a validated write (also used by costs.optimize for its proposals). */
  makePlan(caller: Caller, command: WriteCommand): Promise<Plan>;
}

const invalid = (problem: string): ConnectError => new ConnectError(problem, Code.InvalidArgument);

/** Creates the operator over its dependencies. */
export function createOperator(ctx: OperatorContext): Operator {
  const validate = (intent: CommandIntent, args: unknown): Command => {
    const checked = validateCommand(intent, args);
    if (!checked.ok) throw invalid(checked.problem);
    const now = new Date(ctx.now());
    const timing = checkCommandTiming(checked.command, now, dateInZone(now, ctx.timeZone));
    if (timing !== undefined) throw invalid(timing);
    return checked.command;
  };

  const operator: Operator = {
    async makePlan(caller, command) {
      requireScope(caller, 'ops:write');
      const planned = await planChange(ctx, caller, command);
      const nowMs = ctx.now();
      const record: PlanRecord = {
        id: `plan_${randomBytes(9).toString('hex')}`,
        tenant: caller.tenant,
        intent: command.intent,
        argsJson: JSON.stringify(command.args),
        summary: planned.summary,
        costEffect: planned.costEffect,
        ...(planned.monthlyCostDeltaUsd !== undefined ? { monthlyCostDeltaUsd: planned.monthlyCostDeltaUsd } : {}),
        createdAtMs: nowMs,
        expiresAtMs: nowMs + ctx.planTtlMs,
        status: 'pending',
      };
      await ctx.plans.create(record);
      return planToProto(record, nowMs);
    },

    async execute(caller, intent, args) {
      const command = validate(intent, args);
      if (isWriteCommand(command)) return { kind: 'plan', plan: await operator.makePlan(caller, command) };
      requireScope(caller, 'ops:read');
      switch (command.intent) {
        case 'usage.report':
          return { kind: 'result', result: await usageReport(ctx, caller, command.args) };
        case 'savings.report':
          return { kind: 'result', result: await savingsReport(ctx, caller, command.args) };
        case 'costs.compare':
          return { kind: 'result', result: await compareCosts(ctx, caller, command.args) };
        case 'costs.optimize':
          return { kind: 'optimization', optimization: await optimizeCosts(ctx, caller, command.args, (c) => (hasScope(caller, 'ops:write') ? operator.makePlan(caller, c) : Promise.resolve(undefined))) };
        case 'budget.show':
          return { kind: 'result', result: await showBudget(ctx, caller, command.args) };
        case 'overrides.list':
          return { kind: 'result', result: await listOverrides(ctx, caller, command.args) };
        case 'breakers.show':
          return { kind: 'result', result: await showBreakers(ctx, caller, command.args) };
        case 'gpu.list':
          return { kind: 'result', result: await listGpuInstances(ctx, command.args) };
        case 'ratelimits.show':
          return { kind: 'result', result: await showRateLimits(ctx, caller, command.args) };
      }
    },

    async runText(caller, text) {
      requireScope(caller, 'ops:read');
      const reading = interpretCommand(text, { now: new Date(ctx.now()), timeZone: ctx.timeZone });
      const unread = reading.kind === 'none' || (reading.kind === 'clarify' && reading.said === undefined);
      if (unread && ctx.llmFallback) {
        const guessed = await ctx.llmFallback.read(text, caller.tenant);
        if (guessed) return confirmFirst(caller, guessed);
      }
      switch (reading.kind) {
        case 'rejected':
          throw invalid(reading.problem);
        case 'invalid':
          throw invalid(reading.problem);
        case 'none':
          return create(RunCommandResponseSchema, { outcome: { case: 'notACommand', value: {} }, reader: 'rules' });
        case 'clarify':
          return create(RunCommandResponseSchema, {
            outcome: { case: 'clarification', value: { question: reading.question, candidates: reading.candidates.map((c) => commandToProto(c.intent, c.args)) } },
            reader: 'rules',
          });
        case 'command': {
          const { intent, args } = reading.command;
          if (WRITE_INTENTS.has(intent)) requireScope(caller, 'ops:write');
          const outcome = await operator.execute(caller, intent, args);
          const command = commandToProto(intent, args);
          if (outcome.kind === 'result') return create(RunCommandResponseSchema, { command, outcome: { case: 'result', value: outcome.result }, reader: 'rules' });
          if (outcome.kind === 'plan') return create(RunCommandResponseSchema, { command, outcome: { case: 'plan', value: outcome.plan }, reader: 'rules' });
          return create(RunCommandResponseSchema, { command, outcome: { case: 'optimization', value: outcome.optimization }, reader: 'rules' });
        }
      }
    },

    async getPlan(caller, planId) {
      requireScope(caller, 'ops:read');
      const plan = await ownPlan(caller, planId);
      return planToProto(plan, ctx.now());
    },

    async confirm(caller, planId) {
      requireScope(caller, 'ops:write');
      await ownPlan(caller, planId);
      const nowMs = ctx.now();
      const claim = await ctx.plans.claim(planId, nowMs);
      switch (claim.kind) {
        case 'unknown':
          throw new ConnectError(`plan_id: no plan ${planId}`, Code.NotFound);
        case 'expired':
          throw new ConnectError(`plan_id: plan ${planId} expired at ${new Date(claim.plan.expiresAtMs).toISOString()} without being applied; nothing changed — make the plan again`, Code.FailedPrecondition);
        case 'applied':
          throw new ConnectError(
            `plan_id: plan ${planId} was already applied at ${new Date(claim.plan.appliedAtMs ?? 0).toISOString()} by ${claim.plan.appliedBy ?? '?'} (audit ${claim.plan.auditId || 'n/a'}); a plan applies once, nothing changed`,
            Code.FailedPrecondition,
          );
        case 'in_progress':
          throw new ConnectError(`plan_id: plan ${planId} is being applied by another request; nothing changed`, Code.Aborted);
        case 'claimed':
          break;
      }
      const plan = claim.plan;
      const command = validate(plan.intent as CommandIntent, JSON.parse(plan.argsJson));
      let result: CommandResult;
      try {
        result = await applyChange(ctx, caller, command as WriteCommand, planId);
      } catch (err) {
        await ctx.plans.release(planId);
        throw err;
      }
      const appliedAtMs = ctx.now();
      let auditId = '';
      try {
        const audit = await ledgerOf(ctx).appendAudit(
          { actor: actorOf(caller), action: `ops.${plan.intent}`, subject: plan.tenant, details: JSON.stringify({ plan_id: planId, args: JSON.parse(plan.argsJson), summary: plan.summary, result: result.summary }) },
          { timeoutMs: ctx.callTimeoutMs },
        );
        auditId = audit.auditId;
      } catch (err) {
        ctx.logger.error({ err, planId }, 'applied plan could not be written to the audit trail');
      }
      await ctx.plans.finish(planId, { appliedAtMs, appliedBy: actorOf(caller), auditId, resultJson: JSON.stringify({ summary: result.summary }) });
      const stored = (await ctx.plans.get(planId))!;
      return create(ConfirmPlanResponseSchema, { plan: planToProto(stored, appliedAtMs), result });
    },
  };

  /**
   * An LLM's reading is never acted on directly: a change becomes a stored plan the operator must
   * confirm (after the same scope and tenant checks as any plan); a read or an optimisation comes
   * back as a clarification to run explicitly.
   */
  async function confirmFirst(caller: Caller, guessed: Command): Promise<RunCommandResponse> {
    const command = commandToProto(guessed.intent, guessed.args);
    if (isWriteCommand(guessed)) {
      requireScope(caller, 'ops:write');
      return create(RunCommandResponseSchema, { command, outcome: { case: 'plan', value: await operator.makePlan(caller, guessed) }, reader: 'llm' });
    }
    return create(RunCommandResponseSchema, {
      outcome: { case: 'clarification', value: { question: `The rules could not read this; the LLM fallback reads it as ${guessed.intent}. Run it?`, candidates: [command] } },
      reader: 'llm',
    });
  }

  /** The plan, if the caller may see it (its tenant's, or any for admins); NOT_FOUND otherwise. */
  async function ownPlan(caller: Caller, planId: string): Promise<PlanRecord> {
    if (planId.trim() === '') throw invalid('plan_id: required');
    const plan = await ctx.plans.get(planId);
    if (!plan || (plan.tenant !== caller.tenant && !hasScope(caller, 'admin'))) throw new ConnectError(`plan_id: no plan ${planId}`, Code.NotFound);
    return plan;
  }

  return operator;
}
