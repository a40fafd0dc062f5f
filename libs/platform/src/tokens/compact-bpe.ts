import { readFileSync } from 'node:fs';

// gpt-tokenizer keeps a BPE vocabulary as one JS string per token plus a Map from string to rank
// (o200k: 200k of each), built by parsing a 2.2 MB generated module: +62 MiB of RSS per process that
// loads it (live heap +16 MiB; the rest is parser memory and heap pages kept after the build). Counting
// needs none of that: this keeps the vocabulary as bytes in three typed arrays (≈ 4 MiB, outside the JS
// heap) read straight from the `.tiktoken` file, and runs the same byte-pair merge (tiktoken's: merge the
// adjacent pair of lowest rank, leftmost first, until none is in the vocabulary).

const BASE64 = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (BASE64[c.charCodeAt(0)] = i));

/** FNV-1a over bytes[start, end). */
function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** A byte-level BPE vocabulary: token bytes and ranks in typed arrays, found by an open-addressing hash. */
export interface CompactBpe {
  /** Tokens in the vocabulary. */
  readonly size: number;
  /** Tokens `text` encodes to, with `splitPattern` (the encoding's pre-tokenizer) and no special tokens. */
  count(text: string): number;
}

/**
 * Reads a `.tiktoken` vocabulary (one `<base64 token bytes> <rank>` per line, the format tiktoken and
 * gpt-tokenizer ship) into a {@link CompactBpe} that counts with `splitPattern`. Throws on a malformed
 * line, naming it.
 */
export function loadCompactBpe(file: string, splitPattern: RegExp): CompactBpe {
  const text = readFileSync(file);
  let lines = 0;
  for (const byte of text) if (byte === 10) lines++;
  if (text.length > 0 && text[text.length - 1] !== 10) lines++;
  const decoded = new Uint8Array(Math.ceil((text.length * 3) / 4));
  const offsets = new Uint32Array(lines + 1);
  const ranks = new Uint32Array(lines);
  let n = 0;
  let out = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf(10, pos);
    if (end < 0) end = text.length;
    const space = text.indexOf(32, pos);
    if (space < 0 || space >= end) throw new Error(`${file}: line ${n + 1} is not "<base64> <rank>"`);
    offsets[n] = out;
    // Base64 decode of text[pos, space) into bytes.
    let acc = 0;
    let bits = 0;
    for (let i = pos; i < space; i++) {
      const c = text[i]!;
      if (c === 61) break; // '='
      const v = BASE64[c]!;
      if (v < 0) throw new Error(`${file}: line ${n + 1} has a character outside base64`);
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        decoded[out++] = (acc >> bits) & 0xff;
      }
    }
    const rank = Number(text.toString('latin1', space + 1, end).trim());
    if (!Number.isInteger(rank) || rank < 0) throw new Error(`${file}: line ${n + 1} has no rank`);
    ranks[n++] = rank;
    pos = end + 1;
  }
  offsets[n] = out;
  const bytes = decoded.slice(0, out); // the file's size bound included the ranks and newlines
  let slots = 1;
  while (slots < n * 2) slots <<= 1;
  const mask = slots - 1;
  const table = new Int32Array(slots).fill(-1);
  for (let t = 0; t < n; t++) {
    let slot = hashOf(bytes, offsets[t]!, offsets[t + 1]!) & mask;
    while (table[slot] !== -1) slot = (slot + 1) & mask;
    table[slot] = t;
  }

  /** Rank of piece[start, end), or -1 when it is not a token. */
  const rankOf = (piece: Uint8Array, start: number, end: number): number => {
    const length = end - start;
    for (let slot = hashOf(piece, start, end) & mask; ; slot = (slot + 1) & mask) {
      const t = table[slot]!;
      if (t === -1) return -1;
      const from = offsets[t]!;
      if (offsets[t + 1]! - from !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (bytes[from + i] !== piece[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return ranks[t]!;
    }
  };

  const encoder = new TextEncoder();
  let scratch = new Uint8Array(256);
  // Merge state for one piece: part boundaries and the rank of each part joined with the next.
  let starts = new Int32Array(257);
  let pairRanks = new Float64Array(257);
  const split = new RegExp(splitPattern.source, splitPattern.flags.includes('g') ? splitPattern.flags : `${splitPattern.flags}g`);

  /** Tokens of one pre-token's UTF-8 bytes scratch[0, length). */
  const countPiece = (length: number): number => {
    if (length <= 1 || rankOf(scratch, 0, length) >= 0) return length === 0 ? 0 : 1;
    if (starts.length < length + 1) {
      starts = new Int32Array(length + 1);
      pairRanks = new Float64Array(length + 1);
    }
    let parts = length; // parts i = scratch[starts[i], starts[i + 1]); starts[parts] = length
    for (let i = 0; i <= length; i++) starts[i] = i;
    const pairRank = (i: number): number => {
      if (i + 2 > parts) return Infinity;
      const r = rankOf(scratch, starts[i]!, starts[i + 2]!);
      return r < 0 ? Infinity : r;
    };
    for (let i = 0; i < parts - 1; i++) pairRanks[i] = pairRank(i);
    for (;;) {
      let best = Infinity;
      let at = -1;
      for (let i = 0; i < parts - 1; i++) {
        if (pairRanks[i]! < best) {
          best = pairRanks[i]!;
          at = i;
        }
      }
      if (at < 0) return parts;
      // Merge part `at` with part `at + 1`.
      starts.copyWithin(at + 1, at + 2, parts + 1);
      pairRanks.copyWithin(at + 1, at + 2, parts);
      parts--;
      pairRanks[at] = pairRank(at);
      if (at > 0) pairRanks[at - 1] = pairRank(at - 1);
    }
  };

  return {
    size: n,
    count: (input: string): number => {
      let total = 0;
      for (const match of input.matchAll(split)) {
        const piece = match[0];
        if (scratch.length < piece.length * 3) scratch = new Uint8Array(piece.length * 3);
        total += countPiece(encoder.encodeInto(piece, scratch).written);
      }
      return total;
    },
  };
}
