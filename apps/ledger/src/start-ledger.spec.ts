import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createServiceMetrics } from '@sophia/platform';
import { LedgerService } from '@sophia/contracts/ledger';
import { ledgerConfigSchema } from './ledger-config.ts';
import { startLedger } from './start-ledger.ts';

function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Array<{ level: number; msg: string }> } {
  const out: string[] = [];
  const logger = createLogger({ service: 'ledger', level: 'info', destination: { write: (s: string) => out.push(s) } });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

describe('startLedger', () => {
  it('defaults to the embedded SQLite store in SOPHIA_DATA_DIR, the bundled catalog and the DuckDB file beside it', async () => {
    const { logger, lines } = capturedLogger();
    const dir = mkdtempSync(join(tmpdir(), 'ledger-start-'));
    const config = ledgerConfigSchema.parse({ SOPHIA_DATA_DIR: dir });
    const started = await startLedger({ config, logger, metrics: createServiceMetrics('ledger', { collectDefaults: false }) });
    expect(started.services.map((s) => s.service.typeName)).toEqual([LedgerService.typeName]);
    expect(lines()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: join(dir, 'sophia.db'), msg: expect.stringContaining('usage store: embedded SQLite') as string }),
        expect.objectContaining({ warehouse: `duckdb:${join(dir, 'warehouse.duckdb')}` }),
        expect.objectContaining({ msg: 'price catalog loaded' }),
        expect.objectContaining({ msg: 'warehouse sink: in-process' }),
      ]),
    );
    await started.close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails to start when Redis is unreachable, naming the key but not the password', async () => {
    const { logger } = capturedLogger();
    const config = ledgerConfigSchema.parse({ SOPHIA_REDIS_URL: 'redis://user:s3cret@127.0.0.1:1' });
    const failure = startLedger({ config, logger });
    await expect(failure).rejects.toThrow('SOPHIA_REDIS_URL: cannot connect to Redis at 127.0.0.1:1');
    await expect(failure).rejects.not.toThrow('s3cret');
  });
});
