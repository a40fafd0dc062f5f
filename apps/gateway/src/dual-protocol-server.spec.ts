import net from 'node:net';
import { request } from 'node:http';
import { startDualProtocolServer } from './dual-protocol-server.ts';

describe('startDualProtocolServer', () => {
  it('accepts connections with TCP_NODELAY, so an SSE chunk after the headers does not wait for a delayed ACK', async () => {
    const createServer = jest.spyOn(net, 'createServer');
    const server = await startDualProtocolServer((_req, res) => res.end('ok'), { host: '127.0.0.1', port: 0 });
    try {
      expect(createServer).toHaveBeenCalledWith(expect.objectContaining({ noDelay: true }), expect.any(Function));
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port: server.port, path: '/' }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(body).toBe('ok');
    } finally {
      createServer.mockRestore();
      await server.close(100);
    }
  });
});
