import { countMatches } from './count-matches.ts';
import { DEMAND_FEATURE_NAMES, demandFeatures } from './demand-features.ts';
import { detectTaskType, lastUserContent } from './detect-task-type.ts';
import { QUANTITY_FEATURE_NAMES, quantityFeatures } from './quantity-features.ts';
import type { ChatMessage, TaskType } from './task-type.ts';

/**
 * What the model sees of a conversation: named numeric features (length, structure, symbols, task type)
 * and the set of lower-cased words. Kept separate so a model can weight words by vocabulary lookup and
 * explain a decision with the words that actually occurred.
 */
export interface FeatureSet {
  readonly dense: ReadonlyMap<string, number>;
  readonly words: ReadonlyArray<string>;
  readonly taskType: TaskType;
}

/** Names of the dense features, in a fixed order; training stores one mean/scale pair per name. */
export const DENSE_FEATURE_NAMES = [
  'log_chars_last_user',
  'log_chars_total',
  'log_prompt_tokens',
  'log_user_turns',
  'log_assistant_turns',
  'has_system',
  'log_chars_system',
  'log_digits',
  'log_numbers',
  'digit_ratio',
  'log_math_symbols',
  'has_latex',
  'code_char_ratio',
  'has_code_fence',
  'log_lines',
  'log_question_marks',
  'multiple_choice',
  'avg_word_length',
  'long_word_ratio',
  'log_sentences',
  'log_words_per_sentence',
  'capitalised_ratio',
  'unique_word_ratio',
  'log_quotes',
  'numeric_choices',
  'log_choice_chars',
  'has_negation_cue',
  'log_shouted_words',
  'log_stem_chars',
  'has_roman_list',
  'has_statement_pair',
  'choice_length_spread',
  ...QUANTITY_FEATURE_NAMES,
  ...DEMAND_FEATURE_NAMES,
] as const;

const WORD = /[a-z][a-z'-]*[a-z]|[a-z]/g;
const CAPITALISED_WORD = /(?<![.!?]\s|^)\b[A-Z][a-z]+/gm;
const NUMBER = /\d+(?:[.,]\d+)?/g;
const MATH_SYMBOL = /[=+*/^<>%√∫∑π×÷≤≥]|\s-\s/g;
const LATEX = /\\[a-zA-Z]+|\$[^$\n]+\$/;
const CODE_CHAR = /[{}();[\]<>]/g;
const SENTENCE_END = /[.!?](?:\s|$)/g;
// Horizontal space only after ^: `^\s*` with the m flag rescans a run of blank lines from every line start (quadratic).
const CHOICE_LINE = /^[ \t]*\(?[A-Da-d][.)]\s/gm;
const QUOTE = /["“”]/g;
const CHOICE_TEXT = /^[ \t]*\(?[A-Da-d][.)][ \t]*(.*)$/gm;
const NEGATION_CUE = /\b(NOT|EXCEPT|LEAST|FALSE|INCORRECT)\b|\b(not|except|least|false|incorrect)\b\??\s*$/m;
const SHOUTED = /\b[A-Z]{3,}\b/g;
/** "I. … II. … III." premises inside a question: the options are combinations, so every premise must be judged. */
const ROMAN_LIST = /(?:^|\s)II[.)]\s/;
/** MMLU-style "Statement 1 | … Statement 2 | …" true/false pairs. */
const STATEMENT_PAIR = /statement\s*1\b/i;
/** Words longer than this (in characters) count as "long": a cheap proxy for technical vocabulary. */
const LONG_WORD = 10;
/** Words are capped so one pasted document cannot dominate the vocabulary weights or the latency. */
export const MAX_WORDS = 2000;

/**
 * Where the question stem ends: the first option line's start, moved back over whitespace-only lines
 * before it (the stem of "Q?\n\nA. …" is "Q?"), the same as the former `^\s*` pattern measured.
 */
function stemStart(text: string, lineStart: number): number {
  let end = lineStart;
  while (end > 0) {
    // The line before `end` starts after the newline preceding end − 1 (lastIndexOf clamps a negative start to 0).
    const previous = end >= 2 ? text.lastIndexOf('\n', end - 2) + 1 : 0;
    if (previous >= end || text.slice(previous, end).trim() !== '') break;
    end = previous;
  }
  return end;
}

/**
 * Turns a conversation (system prompt and all turns included) into a {@link FeatureSet}. Pure and
 * deterministic; linear in the text length. `promptTokens` comes from the caller so the tokenizer runs once.
 */
export function extractFeatures(messages: ReadonlyArray<ChatMessage>, promptTokens: number): FeatureSet {
  const lastUser = lastUserContent(messages);
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer');
  const systemText = system.map((m) => m.content).join('\n');
  const all = messages.map((m) => m.content).join('\n');
  const chars = Math.max(1, all.length);

  const lowered = all.toLowerCase();
  const tokens = lowered.match(WORD) ?? [];
  const wordCount = tokens.length;
  const unique = new Set<string>();
  let wordChars = 0;
  let longWords = 0;
  for (const token of tokens) {
    wordChars += token.length;
    if (token.length >= LONG_WORD) longWords++;
    if (unique.size < MAX_WORDS) unique.add(token);
  }
  const digits = countMatches(all, /\d/g);
  const sentences = Math.max(1, countMatches(all, SENTENCE_END));
  const taskType = detectTaskType(messages);
  let choices = 0;
  let numericChoices = 0;
  let choiceChars = 0;
  let shortestChoice = Number.POSITIVE_INFINITY;
  let longestChoice = 0;
  let stemEnd = all.length;
  CHOICE_TEXT.lastIndex = 0;
  for (let match = CHOICE_TEXT.exec(all); match !== null; match = CHOICE_TEXT.exec(all)) {
    const text = match[1] ?? '';
    choices++;
    choiceChars += text.length;
    if (choices === 1) stemEnd = stemStart(all, match.index);
    shortestChoice = Math.min(shortestChoice, text.length);
    longestChoice = Math.max(longestChoice, text.length);
    if (/\d/.test(text)) numericChoices++;
  }

  const dense = new Map<string, number>([
    ['log_chars_last_user', Math.log1p(lastUser.length)],
    ['log_chars_total', Math.log1p(all.length)],
    ['log_prompt_tokens', Math.log1p(promptTokens)],
    ['log_user_turns', Math.log1p(messages.filter((m) => m.role === 'user').length)],
    ['log_assistant_turns', Math.log1p(messages.filter((m) => m.role === 'assistant').length)],
    ['has_system', system.length > 0 ? 1 : 0],
    ['log_chars_system', Math.log1p(systemText.length)],
    ['log_digits', Math.log1p(digits)],
    ['log_numbers', Math.log1p(countMatches(all, NUMBER))],
    ['digit_ratio', digits / chars],
    ['log_math_symbols', Math.log1p(countMatches(all, MATH_SYMBOL))],
    ['has_latex', LATEX.test(all) ? 1 : 0],
    ['code_char_ratio', countMatches(all, CODE_CHAR) / chars],
    ['has_code_fence', all.includes('```') ? 1 : 0],
    ['log_lines', Math.log1p(countMatches(all, /\n/g))],
    ['log_question_marks', Math.log1p(countMatches(all, /\?/g))],
    ['multiple_choice', countMatches(all, CHOICE_LINE) >= 2 ? 1 : 0],
    ['avg_word_length', wordCount === 0 ? 0 : wordChars / wordCount],
    ['long_word_ratio', wordCount === 0 ? 0 : longWords / wordCount],
    ['log_sentences', Math.log1p(sentences)],
    ['log_words_per_sentence', Math.log1p(wordCount / sentences)],
    ['capitalised_ratio', wordCount === 0 ? 0 : countMatches(all, CAPITALISED_WORD) / wordCount],
    ['unique_word_ratio', wordCount === 0 ? 0 : unique.size / wordCount],
    ['log_quotes', Math.log1p(countMatches(all, QUOTE))],
    ['numeric_choices', choices === 0 ? 0 : numericChoices / choices],
    ['log_choice_chars', choices === 0 ? 0 : Math.log1p(choiceChars / choices)],
    ['has_negation_cue', NEGATION_CUE.test(lastUser) ? 1 : 0],
    ['log_shouted_words', Math.log1p(countMatches(all, SHOUTED))],
    ['log_stem_chars', Math.log1p(choices >= 2 ? stemEnd : lastUser.length)],
    ['has_roman_list', ROMAN_LIST.test(all) ? 1 : 0],
    ['has_statement_pair', STATEMENT_PAIR.test(all) ? 1 : 0],
    ['choice_length_spread', choices < 2 ? 0 : Math.log1p(longestChoice) - Math.log1p(shortestChoice)],
    ...quantityFeatures(all),
    ...demandFeatures(all),
    [`task:${taskType}`, 1],
  ]);
  return { dense, words: [...unique], taskType };
}
