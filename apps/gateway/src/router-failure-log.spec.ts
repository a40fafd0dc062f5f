import { Code, ConnectError } from '@connectrpc/connect';
import { budgetOutageRefusal } from '@sophia/platform/wire';
import { logRouterFailure } from './router-failure-log.ts';
import { httpErrorFromRouter } from './status-to-http.ts';

function recordingLogger() {
  const lines: Array<{ level: string; details: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (details: object, message?: string) => void lines.push({ level, details: details as Record<string, unknown>, message: message ?? '' });
  return { logger: { warn: at('warn'), info: at('info') }, lines };
}

describe('logRouterFailure', () => {
  it('logs a storage_full refusal as one line with the request id, the code and the reason, and no error object (no stack)', () => {
    const { logger, lines } = recordingLogger();
    const err = budgetOutageRefusal('the ledger cannot write its state store (/data/sophia.db): database or disk is full', 'store-full');
    logRouterFailure(logger, err, httpErrorFromRouter(err, { explicitModel: false, requestId: 'req-9' }), { requestId: 'req-9', failed: 'router call failed' });
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'request refused: storage_full',
        details: { requestId: 'req-9', status: 503, code: 'storage_full', cause: 'store-full', reason: 'the ledger cannot write its state store (/data/sophia.db): database or disk is full' },
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('    at ');
  });

  it('keeps the whole error for an unexpected server error, and only the message for a client error', () => {
    const { logger, lines } = recordingLogger();
    const down = new ConnectError('all targets failed', Code.Unavailable);
    logRouterFailure(logger, down, httpErrorFromRouter(down, { explicitModel: false }), { requestId: 'r1', failed: 'embeddings failed' });
    const bad = new ConnectError('messages[0].content: must not be empty', Code.InvalidArgument);
    logRouterFailure(logger, bad, httpErrorFromRouter(bad, { explicitModel: false }), { requestId: 'r2', failed: 'router call failed' });
    expect(lines[0]).toMatchObject({ level: 'warn', message: 'embeddings failed', details: { err: down, requestId: 'r1', status: 503 } });
    expect(lines[1]).toMatchObject({ level: 'info', message: 'request refused', details: { requestId: 'r2', status: 400 } });
    expect(typeof lines[1]?.details['err']).toBe('string');
  });
});
