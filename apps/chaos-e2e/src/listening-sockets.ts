import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A TCP socket a process listens on. */
export interface ListeningSocket {
  readonly pid: number;
  readonly address: string;
  readonly port: number;
}

/** `0100007F:1F90` (little-endian IPv4 hex) → "127.0.0.1"; IPv6 addresses are shown in hex. */
function decodeAddress(hex: string): string {
  if (hex.length !== 8) return hex === '00000000000000000000000001000000' ? '::1' : hex === '0'.repeat(32) ? '::' : hex;
  return [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.');
}

/**
 * Every TCP socket in LISTEN state owned by `pid`, from /proc (Linux): the process's socket inodes
 * matched against /proc/<pid>/net/tcp and tcp6 — what `ss -ltnp` shows, without needing ss.
 */
export function listeningSockets(pid: number): ListeningSocket[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const out: ListeningSocket[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const lines = readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue;
      const [addr, port] = f[1]!.split(':');
      out.push({ pid, address: decodeAddress(addr!), port: Number.parseInt(port!, 16) });
    }
  }
  return out;
}
