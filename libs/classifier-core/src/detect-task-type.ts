import type { ChatMessage, TaskType } from './task-type.ts';

/** A cue: a pattern and how strongly it votes for a task type. */
interface Cue {
  readonly type: TaskType;
  readonly pattern: RegExp;
  readonly weight: number;
}

// Imperative cues ("summarize", "rewrite") outweigh topical ones ("python", digits): the verb says what to
// produce, the topic only what it is about. Weights were set by reading prompts, not fitted; the learned
// router score does not depend on them beyond a one-hot input feature.
const CUES: ReadonlyArray<Cue> = [
  { type: 'summarization', pattern: /\b(summari[sz]e|summary|summari[sz]ation|tl;?dr|key (points|takeaways)|condense|in a nutshell|gist of)\b/i, weight: 4 },
  { type: 'extraction', pattern: /\b(extract|pull out|named entit(y|ies)|list (all|every) (the )?(names|dates|emails|entities|people|companies|numbers|items)|find all (the )?(names|dates|emails|mentions))\b/i, weight: 4 },
  { type: 'extraction', pattern: /\b(from the (following|above|given) (text|passage|document|email|article)[^.?!]{0,40}\b(get|identify|list|return))\b/i, weight: 2 },
  { type: 'classification', pattern: /\b(classify|categori[sz]e|which category|sentiment|spam or (not|ham)|label (each|the following|this)|tag (each|the following)|is (this|the following) (review|message|text|tweet|email) (positive|negative|spam))\b/i, weight: 4 },
  { type: 'rewriting', pattern: /\b(rewrite|re-write|rephrase|paraphrase|proofread|reword|polish|make (it|this) (more )?(formal|concise|shorter|clearer|professional|friendlier)|fix (the )?(grammar|spelling|typos)|translate)\b/i, weight: 4 },
  { type: 'creative_writing', pattern: /\b(poem|haiku|limerick|sonnet|short story|story about|fairy tale|song lyrics|lyrics|screenplay|script for a (play|scene)|fiction|write a (story|tale|song|rap|ballad|novel|fable))\b/i, weight: 4 },
  { type: 'creative_writing', pattern: /\b(imagine|once upon a time|in the style of|creative)\b/i, weight: 1.5 },
  { type: 'sql_data', pattern: /\b(sql|select\s+[\w*,\s.]{1,200}?\s+from|group by|inner join|left join|snowflake|postgres(ql)?|mysql|sqlite|bigquery|dataframe|pandas|spreadsheet|csv)\b/i, weight: 3 },
  { type: 'sql_data', pattern: /\b(query|table|tables|database|schema|columns?|rows?)\b/i, weight: 1 },
  { type: 'code', pattern: /```|\b(python|javascript|typescript|java|c\+\+|c#|golang|rust|kotlin|swift|bash|powershell|html|css|react|node\.?js|regex|api|function|class|method|compile|compiler|debug|stack ?trace|exception|algorithm|implement|script|code|program)\b/i, weight: 2 },
  { type: 'code', pattern: /(\bdef \w+\(|\bfunction \w*\(|=>|\bconst \w+ =|#include|\bpublic (static )?\w+|;\s*\n|\{\s*\n)/, weight: 2 },
  { type: 'math_reasoning', pattern: /\b(solve|calculate|compute|how (many|much)|equation|integral|derivative|probability|prove|theorem|percent(age)?|average|sum of|remainder|divisible|factor|polynomial|matrix|logic(al)?|deduce|puzzle|riddle)\b/i, weight: 2 },
  { type: 'math_reasoning', pattern: /((?<!\d)\d+\s*[-+*/^=]\s*\d|\$\d|\\frac|\\sqrt|[∫√π∑≤≥]|\bx\^2\b)/, weight: 2 },
  { type: 'chat', pattern: /^\s*(hi|hello|hey|yo|good (morning|evening|afternoon)|thanks|thank you|how are you|what's up|lol|ok(ay)?)\b/i, weight: 3 },
  { type: 'open_qa', pattern: /\b(what|why|how|who|when|where|which|explain|describe|tell me about|define|difference between)\b/i, weight: 1 },
  { type: 'open_qa', pattern: /\?\s*$|\n[ \t]*answer:\s*$/i, weight: 1 },
];

/**
 * Names what a conversation asks for, from cue words in the last user turn (full weight) and the system
 * prompt (half weight). The router uses it for expected output length and the ledger for per-task
 * reporting; a conversation with no cue is `chat` when it is multi-turn and `other` otherwise.
 */
export function detectTaskType(messages: ReadonlyArray<ChatMessage>): TaskType {
  const lastUser = lastUserContent(messages);
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content).join('\n');
  const scores = new Map<TaskType, number>();
  for (const cue of CUES) {
    const vote = (cue.pattern.test(lastUser) ? cue.weight : 0) + (cue.pattern.test(system) ? cue.weight / 2 : 0);
    if (vote > 0) scores.set(cue.type, (scores.get(cue.type) ?? 0) + vote);
  }
  let best: TaskType | undefined;
  let bestScore = 0;
  for (const [type, score] of scores) {
    if (score > bestScore) {
      best = type;
      bestScore = score;
    }
  }
  if (best !== undefined) return best;
  const userTurns = messages.filter((m) => m.role === 'user').length;
  return userTurns > 1 ? 'chat' : 'other';
}

/** The text of the last user turn, or of the last turn of any role when there is no user turn. */
export function lastUserContent(messages: ReadonlyArray<ChatMessage>): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message !== undefined && message.role === 'user') return message.content;
  }
  return messages.at(-1)?.content ?? '';
}
