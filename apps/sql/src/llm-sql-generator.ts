import { randomUUID } from 'node:crypto';
import type { Client } from '@connectrpc/connect';
import { Role } from '@sophia/contracts/common';
import type { RouterService } from '@sophia/contracts/router';

/** One request to the LLM: the question, the schema it may use, and (when repairing) what went wrong. */
export interface SqlGenerationPrompt {
  readonly question: string;
  /** CREATE TABLE-like text of the tables the LLM may use. */
  readonly schema: string;
  readonly previous?: { readonly sql: string; readonly errors: readonly string[] };
  readonly tenant: string;
}

/** Proposes SQL for a question; the service validates whatever comes back. */
export interface SqlGenerator {
  generate(prompt: SqlGenerationPrompt, signal?: AbortSignal): Promise<string>;
}

const SYSTEM = [
  'You translate questions into ONE Snowflake SQL SELECT statement.',
  'Use only the tables and columns in the schema. No comments, no DDL/DML, no semicolons.',
  'Reply with the SQL only, inside a ```sql fenced block.',
].join(' ');

/** The chat messages for a prompt (exported for tests and for the README's description). */
export function sqlPromptMessages(prompt: SqlGenerationPrompt): Array<{ role: Role; content: string }> {
  const user = [`Schema:\n${prompt.schema}`, `Question: ${prompt.question}`];
  if (prompt.previous) {
    user.push(`Your previous SQL was rejected:\n${prompt.previous.sql}\nErrors:\n${prompt.previous.errors.map((e) => `- ${e}`).join('\n')}\nReturn a corrected statement.`);
  }
  return [
    { role: Role.SYSTEM, content: SYSTEM },
    { role: Role.USER, content: user.join('\n\n') },
  ];
}

/** The SQL inside an LLM reply: the first ```sql (or ```) block, else the whole text; trailing `;` dropped. */
export function extractSql(reply: string): string {
  const fenced = /```(?:sql)?\s*\n?([\s\S]*?)```/i.exec(reply);
  return (fenced ? fenced[1]! : reply).trim().replace(/;\s*$/, '').trim();
}

/**
 * The LLM path through the mesh: RouterService.Generate with the SQL prompt (workload tag "sql",
 * temperature 0), so the router picks the cheapest tier that writes SQL well and the ledger bills it.
 */
export function createRouterSqlGenerator(router: Client<typeof RouterService>, options: { readonly maxTokens?: number } = {}): SqlGenerator {
  return {
    async generate(prompt, signal) {
      let text = '';
      const stream = router.generate(
        {
          input: {
            requestId: `sql-${randomUUID()}`,
            tenant: prompt.tenant,
            model: 'auto',
            workloadTag: 'sql',
            messages: sqlPromptMessages(prompt),
            params: { maxTokens: options.maxTokens ?? 800, temperature: 0 },
          },
        },
        { signal },
      );
      for await (const event of stream) {
        if (event.event.case === 'delta') text += event.event.value;
      }
      return extractSql(text);
    },
  };
}
