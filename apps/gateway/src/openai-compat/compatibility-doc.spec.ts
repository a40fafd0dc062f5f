// docs/openai-compatibility.md promises what the gateway does with every OpenAI parameter: each
// parameter the request schema knows must have its row in the chat table, and every row must name
// parameters the schema knows (so neither the code nor the reference can drift alone).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHAT_COMPLETION_PARAMETERS } from '../openai-request-schema.ts';

const doc = readFileSync(fileURLToPath(new URL('../../../../docs/openai-compatibility.md', import.meta.url)), 'utf8');
const table = doc.slice(doc.indexOf('## Chat completions: request body'), doc.indexOf('## Chat completions: answer'));
/** The backticked names at the start of each row (`messages[].x` rows count for `messages`). */
const documented = new Set(
  table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([a-z_]+)/g)].map((m) => m[1]!)),
);

describe('docs/openai-compatibility.md', () => {
  it.each(CHAT_COMPLETION_PARAMETERS)('says what the gateway does with `%s`', (name) => {
    expect(documented).toContain(name);
  });

  it('documents no chat parameter the gateway does not know', () => {
    const known = new Set([...CHAT_COMPLETION_PARAMETERS, 'role', 'function', 'top_k', 'repetition_penalty']);
    expect([...documented].filter((name) => !known.has(name))).toEqual([]);
  });
});
