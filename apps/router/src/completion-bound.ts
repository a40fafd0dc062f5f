import type { GenerationParams } from '@sophia/contracts/common';
import type { CatalogModel } from '@sophia/price-catalog';

/**
 * Most completion tokens a request can be billed for on a model: max_tokens (or the model's
 * largest completion) for each of its `n` choices, since upstreams bill every choice. The worst-case
 * quote and the ledger reservation both use it, so n > 1 cannot overspend a budget.
 */
export function completionBound(params: GenerationParams | undefined, model: CatalogModel): number {
  return (params?.maxTokens ?? model.maxOutputTokens) * Math.max(1, params?.n ?? 1);
}

/** Prompt text the upstream bills besides the messages: tool definitions and a JSON schema. */
export function promptExtras(params: GenerationParams | undefined): string {
  if (!params) return '';
  const tools = params.tools.map((t) => `${t.name} ${t.description} ${t.parametersJson}`).join('\n');
  return [tools, params.responseFormat?.schemaJson ?? ''].filter((s) => s !== '').join('\n');
}
