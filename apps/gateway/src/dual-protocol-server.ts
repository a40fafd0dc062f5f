import { createServer as createHttp1Server, maxHeaderSize, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { answerClientError } from './client-error-answer.ts';

/** A request listener for both protocols. */
export type DualProtocolHandler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;

/** A listening HTTP/1.1 + h2c server. */
export interface DualProtocolServer {
  readonly port: number;
  /** True once {@link DualProtocolServer.close} began. */
  readonly draining: boolean;
  /**
   * Graceful stop: no new connections, GOAWAY to HTTP/2 sessions, idle HTTP/1.1 connections closed,
   * in-flight requests (streams included) may finish within `graceMs`; then every socket is destroyed.
   */
  close(graceMs: number): Promise<void>;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * One TCP port speaking HTTP/1.1 and cleartext HTTP/2 with prior knowledge (what gRPC clients
 * and ghz send). Node's cleartext http2 server cannot fall back to HTTP/1.1, so each connection's
 * first bytes are compared with the HTTP/2 client preface and the socket is handed to the
 * matching server.
 */
export async function startDualProtocolServer(handler: DualProtocolHandler, options: { host: string; port: number; headersTimeoutMs?: number }): Promise<DualProtocolServer> {
  // One bound for a client's request head, whatever its pace: a connection that stays silent (before
  // its protocol is known) or trickles its headers (slowloris) is cut when it passes, with a 408 on
  // HTTP/1.1. Node checks its timers every `connectionsCheckingInterval`, so that follows the bound.
  const headersTimeout = options.headersTimeoutMs ?? 30_000;
  const h1 = createHttp1Server(
    { keepAliveTimeout: 5000, headersTimeout, requestTimeout: Math.max(60_000, headersTimeout), connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(headersTimeout / 4))) },
    handler,
  );
  h1.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket, { maxHeaderBytes: maxHeaderSize, headersTimeoutMs: headersTimeout }));
  // The h1 server never listens itself (the net server does), but Node starts its connection
  // tracking — which enforces headersTimeout/requestTimeout against slow clients — on
  // 'listening'; emit it so those limits apply to handed-over sockets too.
  h1.emit('listening');
  const h2 = createHttp2Server({}, handler);
  const sockets = new Set<Socket>();
  /** Connections that have not sent enough bytes yet to tell the protocol. */
  const unrouted = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  let draining = false;
  h2.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    if (draining) session.close();
  });
  // HTTP/1.1 connections handed over by 'connection' are not tracked by Node (that starts on
  // listen), so closeIdleConnections() would not see them: count requests per socket instead.
  const h1Sockets = new Set<Socket>();
  const h1Active = new Map<Socket, number>();
  h1.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    h1Active.set(socket, (h1Active.get(socket) ?? 0) + 1);
    if (draining) res.shouldKeepAlive = false;
    res.once('close', () => {
      const left = (h1Active.get(socket) ?? 1) - 1;
      h1Active.set(socket, left);
      if (draining && left === 0) socket.destroySoon();
    });
  });

  // TCP_NODELAY: Node's http server would set it, but sockets accepted here are handed over, so without
  // it an SSE chunk written after the headers waited for the client's delayed ACK (≈ 40 ms).
  const server = createNetServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      unrouted.delete(socket);
    });
    let head = Buffer.alloc(0);
    unrouted.add(socket);
    // A connection that never says which protocol it speaks must not hold a socket forever.
    const onSilent = (): void => {
      socket.destroy();
    };
    socket.setTimeout(headersTimeout, onSilent);
    const route = (toHttp2: boolean): void => {
      unrouted.delete(socket);
      socket.setTimeout(0);
      socket.off('timeout', onSilent);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.pause();
      socket.unshift(head);
      if (toHttp2) {
        // The http2 session reads the unshifted preface itself on the next tick (socket.read()).
        h2.emit('connection', socket);
      } else {
        h1Sockets.add(socket);
        socket.once('close', () => {
          h1Sockets.delete(socket);
          h1Active.delete(socket);
        });
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, PREFACE.length);
      if (!head.subarray(0, n).equals(PREFACE.subarray(0, n))) route(false);
      else if (head.length >= PREFACE.length) route(true);
    };
    const onError = (): void => {
      socket.destroy();
    };
    socket.on('data', onData);
    socket.on('error', onError);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    get draining() {
      return draining;
    },
    close(graceMs) {
      closing ??= new Promise<void>((resolve) => {
        draining = true;
        const closed = new Promise<void>((r) => server.close(() => r()));
        for (const s of sessions) s.close();
        for (const s of h1Sockets) if ((h1Active.get(s) ?? 0) === 0) s.destroySoon();
        for (const s of unrouted) s.destroy();
        const force = setTimeout(() => {
          for (const s of sessions) s.destroy();
          for (const s of sockets) s.destroy();
        }, graceMs);
        force.unref();
        // Stops h1's connection-checking timer; it reports "not running" since it never listened.
        h1.close(() => undefined);
        void closed.then(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
