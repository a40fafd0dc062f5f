import { create } from '@bufbuild/protobuf';
import { Dimension, GetUsageReportResponseSchema } from '@sophia/contracts/ledger';
import { usageCsv } from './usage-csv.ts';

describe('usageCsv', () => {
  it("writes one line per ledger row with exact dollars from micro-dollars, CRLF-separated", () => {
    const report = create(GetUsageReportResponseSchema, {
      groupBy: [Dimension.DAY, Dimension.MODEL],
      rows: [
        { keys: ['2026-12-05', 'meta-llama/Llama-3.1-8B'], requests: 3n, promptTokens: 30n, completionTokens: 60n, cost: { microUsd: 1_234_567n }, costPerRequest: { microUsd: 411_522n }, latencyP50Ms: 120, latencyP95Ms: 300 },
        { keys: ['2026-12-05', 'x'], requests: 1n, cost: { microUsd: 5n } },
      ],
    });
    expect(usageCsv(report).split('\r\n')).toEqual([
      'day,model,requests,prompt_tokens,completion_tokens,cost_usd,cost_per_request_usd,latency_p50_ms,latency_p95_ms',
      '2026-12-05,meta-llama/Llama-3.1-8B,3,30,60,1.234567,0.411522,120,300',
      '2026-12-05,x,1,0,0,0.000005,0.000000,0,0',
      '',
    ]);
  });

  it('quotes cells with commas or quotes and defuses spreadsheet formulas', () => {
    const report = create(GetUsageReportResponseSchema, {
      groupBy: [Dimension.WORKLOAD_TAG],
      rows: [{ keys: ['a,"b"'] }, { keys: ['=HYPERLINK("x")'] }, { keys: ['-1+1'] }],
    });
    const lines = usageCsv(report).split('\r\n');
    expect(lines[1]?.startsWith('"a,""b"""')).toBe(true);
    expect(lines[2]?.startsWith(`"'=HYPERLINK(""x"")"`)).toBe(true);
    expect(lines[3]?.startsWith("'-1+1,")).toBe(true);
  });

  it('writes negative amounts with their sign', () => {
    const report = create(GetUsageReportResponseSchema, { groupBy: [], rows: [{ keys: [], cost: { microUsd: -1_500_000n } }] });
    expect(usageCsv(report).split('\r\n')[1]).toBe('0,0,0,-1.500000,0.000000,0,0');
  });
});
