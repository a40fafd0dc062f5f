// Typed errors, so services can map a catalog failure to the right gRPC status without parsing messages.

/** One problem in a catalog document, located by its JSON path (e.g. `models[2].serverless.inputUsdPerMTok`). */
export interface CatalogIssue {
  readonly path: string;
  readonly message: string;
}

/** The catalog document is malformed; `issues` lists every problem found, each naming its JSON path. */
export class CatalogValidationError extends Error {
  override readonly name = 'CatalogValidationError';
  readonly issues: readonly CatalogIssue[];

  constructor(issues: readonly CatalogIssue[], origin?: string) {
    const where = origin === undefined ? '' : ` (${origin})`;
    super(`invalid price catalog${where}: ${issues.map((i) => `${i.path || '<root>'}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** Why a price could not be looked up: the model is unknown, or it is not offered on that backend. */
export const LOOKUP_FAILURES = ['unknown_model', 'backend_not_offered'] as const;
export type LookupFailure = (typeof LOOKUP_FAILURES)[number];

/** A model/backend pair the catalog cannot price; `reason` tells NOT_FOUND from FAILED_PRECONDITION. */
export class CatalogLookupError extends Error {
  override readonly name = 'CatalogLookupError';
  readonly reason: LookupFailure;
  readonly model: string;

  constructor(reason: LookupFailure, model: string, message: string) {
    super(message);
    this.reason = reason;
    this.model = model;
  }
}
