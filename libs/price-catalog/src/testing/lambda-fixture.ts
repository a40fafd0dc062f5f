// A recorded-shape Lambda Cloud `GET /api/v1/instance-types` response (prices as of late 2026, for
// tests only), served by tests from a local HTTP server standing in for the API base URL.
import fixture from './lambda-instance-types.json' with { type: 'json' };

/** A fresh copy of the recorded response body. */
export function lambdaInstanceTypesResponse(): typeof fixture {
  return structuredClone(fixture);
}
