import { countMatches } from './count-matches.ts';
/**
 * Names of the quantity (arithmetic word-problem) features, in a fixed order. They describe how much
 * bookkeeping a prompt's numbers demand — how many distinct quantities, how large, in which forms
 * (percentages, fractions, decimals, money, rates, times) and spread over how many sentences — which is
 * what separates a hard maths word problem from an easy one far better than its length alone.
 */
export const QUANTITY_FEATURE_NAMES = [
  'log_distinct_numbers',
  'log_max_number',
  'log_decimals',
  'log_percentages',
  'log_fractions',
  'log_number_words',
  'log_money',
  'log_rate_words',
  'log_time_words',
  'log_quantity_sentences',
  'log_comparisons',
  'log_entities',
  'log_question_clauses',
] as const;

const NUMBER = /\d[\d,]*(?:\.\d+)?/g;
const DECIMAL = /\d\.\d/g;
const PERCENT = /%|\bpercent(?:age)?s?\b/gi;
const FRACTION = /\b\d+\/\d+\b|\b(?:half|halves|third|thirds|quarter|quarters|fifth|fifths|twice|double|doubles|triple|triples|thrice)\b/gi;
const NUMBER_WORD =
  /\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|dozen|dozens|pair|pairs)\b/gi;
const MONEY = /[$€£¥]|\b(?:dollars?|cents?|euros?|pounds?)\b/gi;
const RATE = /\b(?:per|each|every|rate|speed|average|ratio)\b|\/(?:hour|hr|day|week|month|year|kg|km|mile|minute|min)\b/gi;
const TIME =
  /\b(?:second|seconds|minute|minutes|hour|hours|day|days|week|weeks|month|months|year|years|am|pm)\b|\b\d{1,2}:\d{2}\b/gi;
const COMPARISON = /\b(?:more|less|fewer|times as|than|remaining|left over|rest of|increase[ds]?|decrease[ds]?|profit|discount)\b/gi;
const ENTITY = /(?<![.!?]\s|^|\n)\b[A-Z][a-z]{2,}\b/g;
const SENTENCE = /[^.!?\n]+[.!?]?/g;
const HAS_QUANTITY = /\d|\b(?:half|twice|double|triple|dozen|one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand)\b/i;
const QUESTION_CLAUSE = /\bhow (?:many|much|long|far|old|fast)\b|\bwhat (?:is|was|will|percent|fraction)\b/gi;

/**
 * Computes the {@link QUANTITY_FEATURE_NAMES} features of a text (log1p of counts, so a long pasted
 * document cannot produce extreme values). Pure, linear in the text length.
 */
export function quantityFeatures(text: string): Array<[string, number]> {
  const distinct = new Set<string>();
  let maxNumber = 0;
  NUMBER.lastIndex = 0;
  for (let match = NUMBER.exec(text); match !== null; match = NUMBER.exec(text)) {
    const literal = match[0].replace(/,/g, '');
    distinct.add(literal);
    const value = Number.parseFloat(literal);
    if (Number.isFinite(value) && value > maxNumber) maxNumber = value;
  }
  let quantitySentences = 0;
  SENTENCE.lastIndex = 0;
  for (let match = SENTENCE.exec(text); match !== null; match = SENTENCE.exec(text)) {
    if (HAS_QUANTITY.test(match[0])) quantitySentences++;
  }
  const entities = new Set(text.match(ENTITY) ?? []);
  return [
    ['log_distinct_numbers', Math.log1p(distinct.size)],
    ['log_max_number', Math.log1p(Math.log10(1 + Math.min(maxNumber, 1e15)))],
    ['log_decimals', Math.log1p(countMatches(text, DECIMAL))],
    ['log_percentages', Math.log1p(countMatches(text, PERCENT))],
    ['log_fractions', Math.log1p(countMatches(text, FRACTION))],
    ['log_number_words', Math.log1p(countMatches(text, NUMBER_WORD))],
    ['log_money', Math.log1p(countMatches(text, MONEY))],
    ['log_rate_words', Math.log1p(countMatches(text, RATE))],
    ['log_time_words', Math.log1p(countMatches(text, TIME))],
    ['log_quantity_sentences', Math.log1p(quantitySentences)],
    ['log_comparisons', Math.log1p(countMatches(text, COMPARISON))],
    ['log_entities', Math.log1p(entities.size)],
    ['log_question_clauses', Math.log1p(countMatches(text, QUESTION_CLAUSE))],
  ];
}
