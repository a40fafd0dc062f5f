// The most a request may cost, priced the same way by Quote and by Reserve: the prompt tokens the
// provider may bill for the local estimate (raised by the model's calibration from the ledger's own
// history, prompt-calibration.ts; the safe default until it has enough samples) plus every allowed
// output token, at the dearest offer. One function so a quote always equals what a reservation of
// the same request would hold, and both bound what the provider bills.
import { billedPromptBound, worstCase, type CatalogBackend, type PriceCatalog } from '@sophia/price-catalog';
import type { BudgetStore } from './budget-store.ts';
import { promptBoundLines } from './prompt-calibration.ts';
import { rethrowLookup } from './usage-event-record.ts';

/** A request's worst case and the prompt count it was priced at. */
export interface WorstCaseQuote {
  readonly amountMicroUsd: number;
  /** The most prompt tokens the provider may bill for the estimate (≥ the estimate). */
  readonly billablePromptTokens: number;
}

/** What a quote needs: the calibration read (through the handler's store wrapper) and the request. */
export interface WorstCaseInput {
  readonly store: Pick<BudgetStore, 'promptCalibration'>;
  readonly storeCall: <T>(operation: string, call: () => Promise<T>) => Promise<T>;
  /** Named in the log when the calibration read fails ('quote', 'reserve'). */
  readonly operation: string;
  readonly catalog: PriceCatalog;
  readonly modelId: string;
  readonly backend: CatalogBackend;
  /** The prompt as counted locally (o200k over the message text). */
  readonly promptEstimate: number;
  /** Undefined = the model's maximum output tokens. */
  readonly maxTokens: number | undefined;
}

/** Prices a request's worst case against the provider's count of its prompt. */
export async function quoteWorstCase(input: WorstCaseInput): Promise<WorstCaseQuote> {
  const calibration = await input.storeCall(input.operation, () => input.store.promptCalibration(input.modelId));
  const billablePromptTokens = billedPromptBound(input.promptEstimate, promptBoundLines(calibration));
  try {
    return { amountMicroUsd: worstCase(input.catalog, input.modelId, input.backend, billablePromptTokens, input.maxTokens), billablePromptTokens };
  } catch (error) {
    rethrowLookup(error);
  }
}
