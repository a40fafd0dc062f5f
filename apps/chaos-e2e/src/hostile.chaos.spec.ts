// #15 item 2, hostile clients at the gateway (real processes, raw sockets): each attack is bounded
// and answered precisely, and a good request is served normally while it runs and after it.
import { createChaosScorecard } from './chaos-scorecard.ts';
import { deployment, reportPath, SECRETS, sleep, startChaosMesh, type ChaosMesh } from './chaos-mesh.ts';
import { idleConnections, rapidReset, rawRequest, slowloris, type RawOutcome } from './hostile-clients.ts';

/**
 * How long the slowloris client trickles its headers, and the gateway's header timeout in this run.
 * The issue asks for a minute; CI runs 8 s against a 3 s timeout — the same behaviour (the timeout
 * cuts the client, whatever its pace) proven by the setting: SOPHIA_CHAOS_SLOWLORIS_MS=60000
 * SOPHIA_CHAOS_HEADERS_TIMEOUT_MS=30000 runs the full minute against the default.
 */
const SLOWLORIS_MS = Number(process.env['SOPHIA_CHAOS_SLOWLORIS_MS'] ?? 8000);
const HEADERS_TIMEOUT_MS = Number(process.env['SOPHIA_CHAOS_HEADERS_TIMEOUT_MS'] ?? 3000);
const MODEL_BODY = (extra: Record<string, unknown> = {}, content = 'Say hi.'): string => JSON.stringify({ model: 'auto', max_tokens: 4, messages: [{ role: 'user', content }], ...extra });

describe(`chaos: hostile clients (${deployment})`, () => {
  const card = createChaosScorecard('hostile', deployment);
  let chaos: ChaosMesh;
  let url: string;

  beforeAll(async () => {
    chaos = await startChaosMesh({ env: { SOPHIA_GATEWAY_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) } });
    url = chaos.mesh.gatewayUrl;
  }, 120_000);
  afterAll(async () => {
    await chaos?.dispose();
    process.stdout.write(`\n${card.render()}\n`);
    card.save(reportPath('hostile'));
  }, 60_000);

  /** A well-behaved chat completion: its status and how long it took. */
  const good = async (): Promise<{ status: number; ms: number }> => {
    const started = Date.now();
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRETS.apiKey}`, 'content-type': 'application/json' },
      body: MODEL_BODY(),
      signal: AbortSignal.timeout(30_000),
    }).catch(() => undefined);
    await res?.arrayBuffer();
    return { status: res?.status ?? 0, ms: Date.now() - started };
  };

  /** An HTTP/1.1 request with a JSON body, raw (so bodies JSON.stringify cannot make are possible). */
  const post = (body: string | Buffer, headers: Record<string, string> = {}): Promise<RawOutcome> => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const head = [
      'POST /v1/chat/completions HTTP/1.1',
      'Host: gateway',
      `Authorization: Bearer ${SECRETS.apiKey}`,
      'Content-Type: application/json',
      `Content-Length: ${bytes.length}`,
      'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ].join('\r\n');
    return rawRequest(url, [`${head}\r\n\r\n`, bytes], { waitMs: 20_000 });
  };

  const errorOf = (o: RawOutcome): { message: string; param: string | null; code: string } => {
    try {
      const e = (JSON.parse(o.body) as { error: { message: string; param: string | null; code: string } }).error;
      return { message: e.message, param: e.param, code: e.code };
    } catch {
      return { message: o.body.slice(0, 120), param: null, code: '' };
    }
  };

  /**
   * Runs `attack` with a good request sent while it is under way and another after it; the row
   * passes when the attack's own judgement passes and both good requests are answered 200.
   */
  const judge = async (scenario: string, expected: string, attack: () => Promise<{ got: string; pass: boolean }>): Promise<void> => {
    const baseline = await good();
    const attackRun = attack();
    const during = await sleep(100).then(good);
    const result = await attackRun;
    const after = await good();
    const row = card.add({
      scenario,
      expected: `${expected}; good request 200 during and after`,
      got: `${result.got}; good request ${during.status} during (${during.ms} ms, baseline ${baseline.ms} ms), ${after.status} after`,
      pass: result.pass && during.status === 200 && after.status === 200,
      figures: { baselineMs: baseline.ms, duringMs: during.ms, afterMs: after.ms },
    });
    expect(row.pass).toBe(true);
  };

  it(`slowloris: headers byte by byte for ${SLOWLORIS_MS} ms`, async () => {
    await judge('slowloris', `408 and closed by the server after the ${HEADERS_TIMEOUT_MS} ms header timeout`, async () => {
      const o = await slowloris(url, SLOWLORIS_MS);
      return { got: `status ${o.status ?? 'none'}, closed by server after ${o.closedAfterMs ?? 'never'} ms`, pass: o.status === 408 && o.closedAfterMs !== undefined && o.closedAfterMs < SLOWLORIS_MS };
    });
  }, 120_000);

  it('1,000 idle connections', async () => {
    await judge('1,000 idle connections', `every one closed by the server after the ${HEADERS_TIMEOUT_MS} ms header timeout`, async () => {
      const o = await idleConnections(url, 1000, HEADERS_TIMEOUT_MS * 3, async () => undefined);
      return { got: `${o.opened} opened, ${o.closedByServer} closed by the server`, pass: o.opened === 1000 && o.closedByServer === 1000 };
    });
  }, 120_000);

  it('HTTP/2 rapid reset: 10,000 streams opened and cancelled', async () => {
    await judge('HTTP/2 rapid reset', 'the session is cut (GOAWAY) or every reset absorbed; the gateway keeps serving', async () => {
      const o = await rapidReset(url, 10_000);
      return { got: `${o.sent} streams reset, ${o.goaway || 'no GOAWAY'}, session ${o.sessionClosed ? 'closed' : 'open'}`, pass: o.sent > 0 };
    });
  }, 120_000);

  it('64 KB of headers', async () => {
    await judge('64 KB headers', '431 Request Header Fields Too Large', async () => {
      const o = await post(MODEL_BODY(), { 'X-Big': 'a'.repeat(64 * 1024) });
      return { got: `status ${o.status ?? 'none'}`, pass: o.status === 431 };
    });
  });

  it('a 10 MB body (declared, and chunked without a length)', async () => {
    await judge('10 MB body', '413 request_too_large naming the limit, declared or streamed', async () => {
      const declared = await post(Buffer.alloc(10 * 1024 * 1024, 0x20));
      const head = ['POST /v1/chat/completions HTTP/1.1', 'Host: gateway', `Authorization: Bearer ${SECRETS.apiKey}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Connection: close'].join('\r\n');
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const parts: Array<string | Buffer> = [`${head}\r\n\r\n`];
      for (let i = 0; i < 10; i++) parts.push(`${chunk.length.toString(16)}\r\n`, chunk, '\r\n');
      parts.push('0\r\n\r\n');
      const streamed = await rawRequest(url, parts, { waitMs: 20_000 });
      const e = errorOf(declared);
      return {
        got: `declared ${declared.status} ${e.code} "${e.message}", chunked ${streamed.status} ${errorOf(streamed).code}`,
        pass: declared.status === 413 && streamed.status === 413 && e.code === 'request_too_large' && /limit of \d+ bytes/.test(e.message),
      };
    });
  });

  it('JSON nested 100,000 deep', async () => {
    await judge('JSON nested 100,000 deep', '400 naming the field (messages), no crash', async () => {
      const o = await post(`{"model":"auto","messages":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
      const e = errorOf(o);
      return { got: `${o.status} ${e.code} param=${e.param} "${e.message.slice(0, 80)}"`, pass: o.status === 400 && (e.param ?? '').startsWith('messages') };
    });
  });

  it('a million-element messages array', async () => {
    await judge('1,000,000-element messages', '413 (larger than the body limit), precise message', async () => {
      const o = await post(`{"model":"auto","messages":[${'0,'.repeat(999_999)}0]}`);
      const e = errorOf(o);
      return { got: `${o.status} ${e.code} "${e.message.slice(0, 80)}"`, pass: o.status === 413 && e.code === 'request_too_large' };
    });
  });

  it('a 2 MB prompt', async () => {
    await judge('2 MB prompt', '413 naming the body limit', async () => {
      const o = await post(MODEL_BODY({}, 'x'.repeat(2 * 1024 * 1024)));
      const e = errorOf(o);
      return { got: `${o.status} ${e.code} "${e.message.slice(0, 80)}"`, pass: o.status === 413 && e.code === 'request_too_large' };
    });
  });

  it('lone surrogates and NUL bytes', async () => {
    await judge('lone surrogate / NUL', 'lone surrogate: 400 naming messages[0].content; NUL: served (a valid character) or 400 naming the field', async () => {
      const surrogate = await post('{"model":"auto","max_tokens":4,"messages":[{"role":"user","content":"hi \\ud800 there"}]}');
      const nul = await post('{"model":"auto","max_tokens":4,"messages":[{"role":"user","content":"hi \\u0000 there"}]}');
      const s = errorOf(surrogate);
      const n = errorOf(nul);
      return {
        got: `surrogate ${surrogate.status} param=${s.param} "${s.message.slice(0, 60)}"; NUL ${nul.status}${nul.status === 200 ? '' : ` param=${n.param}`}`,
        pass: surrogate.status === 400 && s.param === 'messages[0].content' && (nul.status === 200 || (nul.status === 400 && n.param === 'messages[0].content')),
      };
    });
  });

  it('max_tokens 1e12', async () => {
    await judge('max_tokens 1e12', '400 naming max_tokens', async () => {
      const o = await post(MODEL_BODY({ max_tokens: 1e12 }));
      const e = errorOf(o);
      return { got: `${o.status} param=${e.param} "${e.message.slice(0, 80)}"`, pass: o.status === 400 && e.param === 'max_tokens' };
    });
  });

  it('NaN and duplicate keys', async () => {
    await judge('NaN / duplicate keys', 'NaN: 400 invalid_json; duplicate key: 400 naming the key', async () => {
      const nan = await post('{"model":"auto","max_tokens":4,"temperature":NaN,"messages":[{"role":"user","content":"hi"}]}');
      const dup = await post('{"model":"auto","max_tokens":4,"max_tokens":4000000,"messages":[{"role":"user","content":"hi"}]}');
      const d = errorOf(dup);
      return {
        got: `NaN ${nan.status} ${errorOf(nan).code}; duplicate ${dup.status} param=${d.param} "${d.message.slice(0, 60)}"`,
        pass: nan.status === 400 && errorOf(nan).code === 'invalid_json' && dup.status === 400 && d.param === 'max_tokens',
      };
    });
  });
});
