import { Code, ConnectError } from '@connectrpc/connect';
import { budgetOutageRefusal, firstTokenBoundExceeded } from '@sophia/platform/wire';
import { httpErrorFromRouter, httpStatusForCode } from './status-to-http.ts';

describe('httpStatusForCode', () => {
  it.each([
    [Code.InvalidArgument, 400],
    [Code.NotFound, 404],
    [Code.ResourceExhausted, 429],
    [Code.Unauthenticated, 401],
    [Code.PermissionDenied, 403],
    [Code.DeadlineExceeded, 504],
    [Code.Unavailable, 503],
    [Code.Internal, 500],
    [Code.Unknown, 500],
    [Code.DataLoss, 500],
  ])('code %i → %i', (code, status) => expect(httpStatusForCode(code)).toBe(status));
});

describe('httpErrorFromRouter', () => {
  it('reports NOT_FOUND for a named model as model_not_found on param "model"', () => {
    expect(httpErrorFromRouter(new ConnectError('model "x" is not in the catalog', Code.NotFound), { explicitModel: true })).toEqual({
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      message: 'model "x" is not in the catalog',
      param: 'model',
      retryAfterSeconds: undefined,
    });
    expect(httpErrorFromRouter(new ConnectError('gone', Code.NotFound), { explicitModel: false })).toMatchObject({ code: 'not_found', param: null });
  });
  it('turns retry-after-ms into whole Retry-After seconds, only for RESOURCE_EXHAUSTED', () => {
    const err = (ms: string, code = Code.ResourceExhausted) => httpErrorFromRouter(new ConnectError('slow down', code, { 'retry-after-ms': ms }), { explicitModel: false });
    expect(err('2500').retryAfterSeconds).toBe(3);
    expect(err('10').retryAfterSeconds).toBe(1);
    expect(err('soon').retryAfterSeconds).toBeUndefined();
    expect(err('2500', Code.Unavailable).retryAfterSeconds).toBeUndefined();
    expect(err('2500')).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' });
  });
  it("says budgets cannot be checked when the ledger refuses unbudgeted requests, without blaming the model backends or naming Redis", () => {
    const refusal = budgetOutageRefusal('budget store (Redis) unreachable: new requests are refused until it returns (SOPHIA_REDIS_OUTAGE=refuse): connect ECONNREFUSED 10.0.0.7:6379');
    const e = httpErrorFromRouter(refusal, { explicitModel: false, requestId: 'req-1' });
    expect(e).toMatchObject({ status: 503, type: 'server_error', code: 'budget_unavailable', param: null, retryAfterSeconds: 1 });
    expect(e.message).toBe('budgets cannot be checked right now (the budget store is unreachable), so new requests are refused until it is back; retry later (request id req-1)');
    const full = httpErrorFromRouter(budgetOutageRefusal('the ledger cannot write its state store (/data/sophia.db): database or disk is full', 'store-full'), { explicitModel: false, requestId: 'req-3' });
    expect(full).toMatchObject({ status: 503, type: 'server_error', code: 'storage_full', param: null, retryAfterSeconds: 5 });
    expect(full.message).toBe("usage cannot be recorded right now (the service's state store is out of disk space), so requests are refused until space is freed; retry later (request id req-3)");
    const failed = httpErrorFromRouter(budgetOutageRefusal("usage of request r cannot be recorded: … commit outbox cannot keep it (EIO)", 'store-failed'), { explicitModel: false, requestId: 'req-4' });
    expect(failed).toMatchObject({ status: 503, type: 'server_error', code: 'storage_unavailable', param: null, retryAfterSeconds: 5 });
    expect(failed.message).toBe("usage cannot be recorded right now (the service's state store cannot be written), so the request was refused rather than served unrecorded; retry later (request id req-4)");
    const oom = httpErrorFromRouter(budgetOutageRefusal("budget store (Redis) is out of memory (maxmemory reached, eviction off): OOM command not allowed when used memory > 'maxmemory'.", 'store-out-of-memory'), { explicitModel: false, requestId: 'req-5' });
    expect(oom).toMatchObject({ status: 503, type: 'server_error', code: 'storage_out_of_memory', param: null, retryAfterSeconds: 5 });
    expect(oom.message).toBe('budgets cannot be reserved right now (the budget store is out of memory), so new requests are refused until it has room; retry later (request id req-5)');
    // A plain UNAVAILABLE (no refusal marker) is still the backends' 503.
    expect(httpErrorFromRouter(new ConnectError('all targets failed', Code.Unavailable), { explicitModel: false, requestId: 'req-2' })).toMatchObject({ code: 'upstream_unavailable' });
  });

  it('says no backend started answering within the bound when the first-token bound ended the call, without naming targets', () => {
    const bound = firstTokenBoundExceeded('no backend produced a first token within 15000 ms: serverless:deepinfra/llama: no first token after 15001 ms; gpu:gpu-0: no first token after 9000 ms', 15_000);
    const e = httpErrorFromRouter(bound, { explicitModel: false, requestId: 'req-4' });
    expect(e).toMatchObject({ status: 504, type: 'server_error', code: 'timeout', param: null });
    expect(e.message).toBe("no model backend started answering within 15 s (the mesh's bound on the wait for a first token), so the request was ended; retry later (request id req-4)");
    expect(httpErrorFromRouter(firstTokenBoundExceeded('…', 2500), { explicitModel: false }).message).toContain('within 2500 ms');
    // Any other DEADLINE_EXCEEDED (the client's own deadline, the request timeout) keeps the generic text.
    expect(httpErrorFromRouter(new ConnectError('deadline exceeded', Code.DeadlineExceeded), { explicitModel: false, requestId: 'req-5' }).message).toBe('the request timed out before the model answered (request id req-5)');
  });

  it('hides internals: INTERNAL and non-ConnectErrors become a generic 500', () => {
    expect(httpErrorFromRouter(new ConnectError('db password wrong', Code.Internal), { explicitModel: false }).message).toBe('internal error');
    expect(httpErrorFromRouter(new Error('stack trace'), { explicitModel: false })).toMatchObject({ status: 500, type: 'server_error', message: 'internal error' });
  });
});
