import { countMatches } from './count-matches.ts';
/**
 * Names of the task-demand features, in a fixed order. Each counts one kind of request that makes a
 * prompt hard whatever it is about — a proof, a computation, code to write, several steps, explicit
 * constraints, symbolic variables, hypotheticals — so a weight learned on the training subjects carries
 * to subjects (and open prompts) the model never saw, unlike a word vocabulary, which learns the subject.
 */
export const DEMAND_FEATURE_NAMES = [
  'log_proof_cues',
  'log_compute_cues',
  'log_code_cues',
  'log_math_terms',
  'log_step_cues',
  'log_constraint_cues',
  'log_variables',
  'log_conditionals',
] as const;

const PROOF = /\b(?:prove|proves|proof|disprove|show that|demonstrate that|derive|derivation|justify|lemma|theorem|if and only if|iff|counterexample|by induction|contradiction)\b/gi;
const COMPUTE = /\b(?:calculate|compute|solve|evaluate|simplify|estimate|determine|find the|what is the value|how many|how much)\b/gi;
const CODE =
  /\b(?:write (?:a|an|the) (?:function|program|script|class|method|query|regex|test)|implement|refactor|debug|source code|algorithm|time complexity|recursion|recursive|compile|runtime|pseudocode|python|javascript|typescript|java|c\+\+|golang|rust|sql|bash|html|css|api)\b|```|\b(?:def|return|const|var|let|int|void|for|while)\s+[\w(]/gi;
const MATH_TERM =
  /\b(?:integers?|primes?|polynomials?|matri(?:x|ces)|vectors?|derivatives?|integrals?|probabilit(?:y|ies)|equations?|functions?|groups?|rings?|fields?|modulo|mod|factorials?|sequences?|series|limits?|converge[sd]?|eigen\w*|determinants?|logarithms?|exponents?|roots?|divisible|divisors?|graphs?|sets?|subsets?|permutations?|combinations?|variance|expected value|infinitely|finite|real numbers?|rational|irrational)\b/gi;
const STEP = /\b(?:step by step|step-by-step|first|second|then|next|finally|afterwards|after that|each|respectively|in total|altogether|remaining)\b/gi;
const CONSTRAINT = /\b(?:must|exactly|at least|at most|no more than|no fewer than|without|only|do not|don't|ensure|make sure|should not|cannot|limit(?:ed)? to|in the format|formatted)\b/gi;
/** Single-letter symbols other than the words "a"/"I" and option letters at a line start: x, n, p, f(x). */
const VARIABLE = /(?<![\w'’-])(?:[b-z]|[B-HJ-Z](?![.)]\s))(?![\w'’])/g;
const CONDITIONAL = /\b(?:if|unless|suppose|supposing|assume|assuming|given that|let|whenever|provided that)\b/gi;

/**
 * Computes the {@link DEMAND_FEATURE_NAMES} features of a text (log1p of counts). Pure, linear in the
 * text length: every pattern is a fixed alternation with no nested quantifier.
 */
export function demandFeatures(text: string): Array<[string, number]> {
  return [
    ['log_proof_cues', Math.log1p(countMatches(text, PROOF))],
    ['log_compute_cues', Math.log1p(countMatches(text, COMPUTE))],
    ['log_code_cues', Math.log1p(countMatches(text, CODE))],
    ['log_math_terms', Math.log1p(countMatches(text, MATH_TERM))],
    ['log_step_cues', Math.log1p(countMatches(text, STEP))],
    ['log_constraint_cues', Math.log1p(countMatches(text, CONSTRAINT))],
    ['log_variables', Math.log1p(countMatches(text, VARIABLE))],
    ['log_conditionals', Math.log1p(countMatches(text, CONDITIONAL))],
  ];
}
