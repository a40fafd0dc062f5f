import type { JsonObject, JsonValue } from '@bufbuild/protobuf';

/** A table in an operator answer's JSON form. */
interface TableJson {
  readonly columns?: readonly string[];
  readonly rows?: ReadonlyArray<{ readonly cells?: readonly JsonValue[] }>;
}

function renderTable(t: TableJson | undefined): string {
  if (!t?.columns || t.columns.length === 0) return '';
  const rows = (t.rows ?? []).map((r) => (r.cells ?? []).map((c) => (c === null ? '' : typeof c === 'object' ? JSON.stringify(c) : String(c))));
  return [t.columns.join(' | '), ...rows.map((r) => r.join(' | '))].join('\n');
}

function renderPlan(p: JsonObject): string {
  return `PLAN ${String(p['id'])} (${String(p['status'] ?? 'PLAN_STATUS_PENDING').replace('PLAN_STATUS_', '').toLowerCase()}, expires ${String(p['expires_at'] ?? '?')}): ${String(p['summary'] ?? '')}\nExpected cost effect: ${String(p['cost_effect'] ?? '')}\nNothing has changed yet: call confirm_plan with plan_id "${String(p['id'])}" to apply it.`;
}

/**
 * An operator answer (the JSON of a result, plan, optimisation, clarification or confirmation) as
 * text a model reads well: the one-line summary, then the table; plans say how to confirm them.
 */
export function renderAnswer(answer: JsonObject): string {
  const parts: string[] = [];
  const result = (answer['result'] ?? answer['analysis']) as JsonObject | undefined;
  if (result) parts.push(String(result['summary'] ?? ''), renderTable(result['table'] as TableJson | undefined));
  const optimization = answer['optimization'] as JsonObject | undefined;
  if (optimization) return renderAnswer(optimization);
  if (answer['plan'] && !answer['result']) parts.push(renderPlan(answer['plan'] as JsonObject));
  if (answer['plan'] && answer['result']) parts.push(`Applied plan ${String((answer['plan'] as JsonObject)['id'])} (audit ${String((answer['plan'] as JsonObject)['audit_id'] ?? '')}).`);
  for (const p of (answer['proposals'] as JsonObject[] | undefined) ?? []) {
    parts.push(`- ${String(p['title'])}: ≈ $${String(p['monthly_saving_usd'] ?? 0)}/month. ${String(p['rationale'] ?? '')}${p['plan'] ? ` → plan ${String((p['plan'] as JsonObject)['id'])}` : ''}`);
  }
  const clarification = answer['clarification'] as JsonObject | undefined;
  if (clarification) parts.push(`${String(clarification['question'])}\nCandidates: ${JSON.stringify(clarification['candidates'] ?? [])}`);
  if (answer['not_a_command'] !== undefined) parts.push('Not an infrastructure command: nothing was run.');
  if (answer['reader'] === 'llm') parts.unshift('Read by the LLM fallback (the rules could not read this text); nothing runs until it is confirmed.');
  return parts.filter((p) => p !== '').join('\n\n');
}
