// A TCP port for a child process to bind later. listen(0) hands out ports from the kernel's ephemeral
// range, the same range outgoing connections take their local ports from, so a port found that way and
// released can be taken by any client socket on the machine before the child binds it (seen in CI: a
// dozen test processes connect at once). Ports below the ephemeral range are never assigned implicitly;
// only an explicit bind can take one, so picking there and checking it binds leaves no such race.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const FALLBACK_EPHEMERAL_LOW = 32_768;
const LOWEST = 20_000;

/** The first port of the kernel's ephemeral range (Linux), or the IANA default elsewhere. */
export function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST + 1_000 ? first : FALLBACK_EPHEMERAL_LOW;
  } catch {
    return FALLBACK_EPHEMERAL_LOW;
  }
}

function bindsOn(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port on `host` that is free now and lies outside the ephemeral range, chosen at random so that
 * concurrent callers rarely collide (and the check rejects a port someone already bound).
 */
export async function unusedPort(host = '127.0.0.1', random: () => number = Math.random): Promise<number> {
  const high = ephemeralRangeStart() - 1;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(random() * (high - LOWEST + 1));
    if (await bindsOn(host, port)) return port;
  }
  throw new Error(`no free port on ${host} in ${LOWEST}-${high} after 200 attempts`);
}
