import { detectTaskType, lastUserContent } from './detect-task-type.ts';
import type { TaskType } from './task-type.ts';

const user = (content: string) => [{ role: 'user', content }];

const TABLE: ReadonlyArray<[TaskType, string]> = [
  ['summarization', 'Summarize the following article in three bullet points: The council met on Tuesday...'],
  ['summarization', 'Can you give me a TL;DR of this thread?'],
  ['summarization', 'What are the key takeaways from this meeting transcript?'],
  ['extraction', 'Extract every email address from the text below.'],
  ['extraction', 'List all the names mentioned in this paragraph.'],
  ['extraction', 'Pull out the invoice number and total from this receipt.'],
  ['classification', 'Classify this review as positive or negative: "The battery died after a day."'],
  ['classification', 'Categorize these support tickets into billing, technical or account.'],
  ['classification', 'What is the sentiment of this tweet?'],
  ['code', 'Write a Python function that reverses a linked list.'],
  ['code', 'Why does this throw?\n```js\nconst x = null;\nx.foo();\n```'],
  ['code', 'Implement a binary search in Rust.'],
  ['math_reasoning', 'Solve for x: 3x + 7 = 22.'],
  ['math_reasoning', 'Janet has 16 eggs and eats 3. How many eggs are left?'],
  ['math_reasoning', 'Prove that the square root of 2 is irrational.'],
  ['sql_data', 'Write a SQL query returning the top 5 customers by revenue.'],
  ['sql_data', 'SELECT name, count(*) FROM orders GROUP BY name is slow, how do I speed it up?'],
  ['sql_data', 'Load this CSV into a pandas dataframe and drop empty columns.'],
  ['creative_writing', 'Write a poem about autumn rain.'],
  ['creative_writing', 'Tell me a short story about a dragon who is afraid of heights.'],
  ['creative_writing', 'Compose song lyrics for a breakup ballad.'],
  ['rewriting', 'Rewrite this paragraph to sound more professional.'],
  ['rewriting', 'Paraphrase: the quick brown fox jumps over the lazy dog.'],
  ['rewriting', 'Translate "good morning" into French.'],
  ['chat', 'hello there!'],
  ['chat', 'Thanks, that helped a lot'],
  ['chat', 'how are you today'],
  ['open_qa', 'Who was the first president of the United States?'],
  ['open_qa', 'Explain how vaccines train the immune system.'],
  ['open_qa', 'Why is the sky blue?'],
  ['other', 'asdf qwerty'],
  ['other', 'Paris.'],
  ['other', 'blue green red'],
];

describe('detectTaskType', () => {
  it.each(TABLE)('detects %s for %j', (expected, prompt) => {
    expect(detectTaskType(user(prompt))).toBe(expected);
  });

  it('has at least three examples per task type', () => {
    const counts = new Map<TaskType, number>();
    for (const [type] of TABLE) counts.set(type, (counts.get(type) ?? 0) + 1);
    expect(counts.size).toBe(11);
    for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(3);
  });

  it('uses the last user turn, not earlier ones', () => {
    const messages = [
      { role: 'user', content: 'Write a poem about cats.' },
      { role: 'assistant', content: 'Cats are soft...' },
      { role: 'user', content: 'Now summarize it in one line.' },
    ];
    expect(detectTaskType(messages)).toBe('summarization');
    expect(lastUserContent(messages)).toBe('Now summarize it in one line.');
  });

  it('lets the system prompt vote', () => {
    const messages = [
      { role: 'system', content: 'You are a SQL assistant for our Snowflake database.' },
      { role: 'user', content: 'top customers last month' },
    ];
    expect(detectTaskType(messages)).toBe('sql_data');
  });

  it('calls a cue-less multi-turn conversation chat', () => {
    const messages = [
      { role: 'user', content: 'blue green red' },
      { role: 'assistant', content: 'Colours!' },
      { role: 'user', content: 'yellow purple' },
    ];
    expect(detectTaskType(messages)).toBe('chat');
  });

  it('falls back to the last message when there is no user turn', () => {
    expect(lastUserContent([{ role: 'system', content: 'Be brief.' }])).toBe('Be brief.');
    expect(lastUserContent([])).toBe('');
  });
});
