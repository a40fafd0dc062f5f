import { validateCommand, type Command, type CommandIntent } from './command-schema.ts';
import { classifyIntent, looksOrdinary, type IntentCandidate } from './intents/classify-intent.ts';
import { missingArgumentQuestion } from './intents/missing-arguments.ts';
import { defaultIntentModel, type IntentModel } from './model/intent-model.ts';
import { intentFeatures } from './model/intent-features.ts';
import { extractArgs } from './slots/extract-args.ts';
import { hasNegativeAmount } from './slots/extract-slots.ts';
import { checkCommandTiming } from './check-command-timing.ts';
import { readPhrase } from './read-phrase.ts';

/** Longest command text accepted (a command is one sentence; 100 KB of text is not a command). */
export const MAX_COMMAND_CHARS = 2000;

/** A possible reading of an ambiguous phrase. */
export interface CommandCandidate {
  readonly intent: CommandIntent;
  readonly args: Readonly<Record<string, unknown>>;
}

/**
 * What a phrase means: a valid command; a command whose arguments are wrong (`problem` names the
 * field); a clarifying question with the candidate readings; not a command at all; or text refused
 * before reading (empty, too long, control characters).
 */
export type Interpretation =
  | { readonly kind: 'command'; readonly command: Command }
  | { readonly kind: 'invalid'; readonly intent: CommandIntent; readonly args: Readonly<Record<string, unknown>>; readonly problem: string }
  | { readonly kind: 'clarify'; readonly question: string; readonly candidates: readonly CommandCandidate[]; readonly said?: CommandCandidate }
  | { readonly kind: 'none' }
  | { readonly kind: 'rejected'; readonly problem: string };

/** Options for {@link interpretCommand}. */
export interface InterpretOptions {
  /** The moment relative periods are read against. */
  readonly now: Date;
  /** IANA zone of "today", "this week", "last month" (SOPHIA_BUDGET_TIMEZONE). */
  readonly timeZone: string;
  /** The trained intent model the rules defer to when they find nothing or tie; null = rules only. Default: trained on the labelled corpus. */
  readonly model?: IntentModel | null;
}

/** How sure the trained model must be to name an intent the rules did not find, or to break their tie. */
export const MODEL_MIN_PROBABILITY = 0.5;

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Text → typed command, deterministically and without I/O: refuse bad text, cut out the period,
 * decide command-or-not, pick the intent (rules first; the trained model when the rules find
 * nothing or tie; a clarifying question when neither decides or a write lacks what it needs),
 * extract its arguments and validate them against the intent's schema and the clock.
 */
export function interpretCommand(text: string, options: InterpretOptions): Interpretation {
  if (text.trim().length === 0) return { kind: 'rejected', problem: 'text: must not be empty' };
  if (text.length > MAX_COMMAND_CHARS) return { kind: 'rejected', problem: `text: ${text.length} characters is too long for a command (at most ${MAX_COMMAND_CHARS})` };
  if (CONTROL.test(text)) return { kind: 'rejected', problem: 'text: must not contain control characters' };
  const { whole, phrase, period, today } = readPhrase(text, options.now, options.timeZone);
  if (looksOrdinary(whole)) return { kind: 'none' };
  const model = options.model === undefined ? defaultIntentModel() : options.model;
  const chosen = chooseIntent(classifyIntent(phrase), model ? () => model.predict(intentFeatures(phrase, period !== undefined)) : undefined);
  if (chosen.kind === 'none') return { kind: 'none' };
  if (chosen.kind === 'tie') {
    const readings = chosen.intents.map((intent) => ({ intent, args: extractArgs(intent, phrase, { period, today, now: options.now }) }));
    return { kind: 'clarify', question: `Did you mean ${readings.map((r) => r.intent).join(' or ')}?`, candidates: readings };
  }
  const intent = chosen.intent;
  const args = extractArgs(intent, phrase, { period, today, now: options.now });
  const negative = negativeArgument(intent, text);
  if (negative !== undefined) return { kind: 'invalid', intent, args: withSign(args, negative.field), problem: negative.problem };
  const checked = validateCommand(intent, args);
  if (!checked.ok) return { kind: 'invalid', intent, args, problem: checked.problem };
  const timing = checkCommandTiming(checked.command, options.now, today);
  if (timing !== undefined) return { kind: 'invalid', intent, args, problem: timing };
  const question = missingArgumentQuestion(checked.command);
  if (question) return { kind: 'clarify', question: question.question, candidates: question.candidates, said: checked.command };
  return { kind: 'command', command: checked.command };
}

type Choice = { kind: 'intent'; intent: CommandIntent } | { kind: 'tie'; intents: CommandIntent[] } | { kind: 'none' };

/**
 * Rules first: one best rule decides. When no rule applies, the model may name an intent it is
 * sure of; when rules tie, the model may pick among the tied ones; otherwise none / a question.
 */
function chooseIntent(candidates: readonly IntentCandidate[], predict: (() => Array<{ label: string; p: number }>) | undefined): Choice {
  const best = candidates[0];
  if (best === undefined) {
    const top = predict?.()[0];
    return top && top.label !== 'none' && top.p >= MODEL_MIN_PROBABILITY ? { kind: 'intent', intent: top.label as CommandIntent } : { kind: 'none' };
  }
  const tied = candidates.filter((c) => c.score === best.score).map((c) => c.intent);
  if (new Set(tied).size === 1) return { kind: 'intent', intent: best.intent };
  const pick = predict?.().find((r) => tied.includes(r.label as CommandIntent));
  return pick && pick.p >= MODEL_MIN_PROBABILITY ? { kind: 'intent', intent: pick.label as CommandIntent } : { kind: 'tie', intents: tied };
}

const NEGATIVE_COUNT = /\b(next|following|first)\s+(-\s?|minus\s+|negative\s+)\d/i;

/**
 * A minus sign the slot extractors would drop ("-$50", "minus 20 dollars", "next -5"): the command
 * is refused naming the argument, never read as its positive twin.
 */
function negativeArgument(intent: CommandIntent, text: string): { field: string; problem: string } | undefined {
  if (intent === 'budget.set' && hasNegativeAmount(text)) return { field: 'amount_usd', problem: 'amount_usd: must not be negative' };
  if (intent === 'route.next' && NEGATIVE_COUNT.test(text)) return { field: 'n', problem: 'n: must be a whole number of at least 1' };
  return undefined;
}

/** The arguments as said: the extracted magnitude with its minus sign put back. */
function withSign(args: Readonly<Record<string, unknown>>, field: string): Readonly<Record<string, unknown>> {
  const value = args[field];
  return typeof value === 'number' && value > 0 ? { ...args, [field]: -value } : args;
}

/** The intent and arguments an interpretation stands for (the `ops parse` line); `none` when it is not a command. */
export function interpretationLine(i: Interpretation): { intent: CommandIntent | 'none'; args: Readonly<Record<string, unknown>> } {
  switch (i.kind) {
    case 'command':
      return { intent: i.command.intent, args: i.command.args };
    case 'invalid':
      return { intent: i.intent, args: i.args };
    case 'clarify': {
      const reading = i.said ?? i.candidates[0];
      return { intent: reading?.intent ?? 'none', args: reading?.args ?? {} };
    }
    default:
      return { intent: 'none', args: {} };
  }
}
