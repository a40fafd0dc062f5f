import { maxMetric, parsePrometheusText, sumMetric } from './parse-prometheus-text.ts';

const VLLM = `# HELP vllm:num_requests_running Number of requests currently running.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2.0
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{model_name="meta-llama/Llama-3.1-8B-Instruct"} 7
vllm:kv_cache_usage_perc{model_name="a"} 0.25
vllm:kv_cache_usage_perc{model_name="b"} 0.5 1712345678000
vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="a"} 12
odd{path="C:\\\\tmp",msg="say \\"hi\\"\\nbye"} NaN
`;

describe('parsePrometheusText', () => {
  it('reads vLLM gauges with labels, timestamps and escapes', () => {
    const samples = parsePrometheusText(VLLM);
    expect(sumMetric(samples, 'vllm:num_requests_running')).toBe(5);
    expect(sumMetric(samples, 'vllm:num_requests_waiting')).toBe(7);
    expect(maxMetric(samples, 'vllm:kv_cache_usage_perc')).toBe(0.5);
    expect(sumMetric(samples, 'absent')).toBeUndefined();
    expect(samples.find((s) => s.name === 'vllm:time_to_first_token_seconds_bucket')?.labels).toEqual({ le: '+Inf', model_name: 'a' });
    const odd = samples.find((s) => s.name === 'odd')!;
    expect(odd.labels).toEqual({ path: 'C:\\tmp', msg: 'say "hi"\nbye' });
    expect(odd.value).toBeNaN();
  });

  it('reads samples without labels and +Inf values', () => {
    expect(parsePrometheusText('up 1\nx +Inf\n')).toEqual([
      { name: 'up', labels: {}, value: 1 },
      { name: 'x', labels: {}, value: Number.POSITIVE_INFINITY },
    ]);
  });

  it.each([
    ['<html>oops</html>', 'line 1: expected a metric name'],
    ['a{b="c} 1', 'line 1: unterminated label value'],
    ['a{b=c} 1', 'line 1: expected a quoted label value'],
    ['a 1\nb', 'line 2: expected "<value> [timestamp]"'],
    ['a one', 'line 1: bad value "one"'],
  ])('rejects %j naming the line', (text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(message);
  });
});
