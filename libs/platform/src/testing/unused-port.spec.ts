import { createServer, type Server } from 'node:net';
import { ephemeralRangeStart, unusedPort } from './unused-port.ts';

describe('unusedPort', () => {
  it('returns a bindable port below the ephemeral range', async () => {
    const port = await unusedPort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(ephemeralRangeStart());
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('skips a port somebody already listens on', async () => {
    const taken: Server = createServer();
    const takenPort = await unusedPort();
    await new Promise<void>((resolve) => taken.listen(takenPort, '127.0.0.1', resolve));
    try {
      // The first draw hits the taken port, the second a free one.
      const draws = [(takenPort - 20_000 + 0.5) / (ephemeralRangeStart() - 20_000), 0];
      const port = await unusedPort('127.0.0.1', () => draws.shift() ?? 0);
      expect(port).toBe(20_000);
      expect(draws).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
