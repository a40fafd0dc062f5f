// Test helper: a TCP forwarder to a local port that can be cut and restored, to take a real Redis away
// from a client (an outage) or from its replica (replication stopped) without stopping the server.
import { createServer, type Server, type Socket, connect as connectTcp } from 'node:net';

/** A running forwarder on 127.0.0.1:`port`. */
export interface CuttableProxy {
  readonly port: number;
  /** Closes the listener and destroys every forwarded connection. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP forwarder to Redis that can be cut (listener closed, every connection destroyed) and restored on the same port. */
export async function startCuttableProxy(targetPort: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port: number): Promise<number> =>
    new Promise((resolve) => {
      server = createServer((client) => {
        const upstream = connectTcp(targetPort, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
    });
  const port = await listen(0);
  const cut = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return { port, cut, restore: async () => void (await listen(port)), close: cut };
}
