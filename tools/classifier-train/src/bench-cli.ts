import os from 'node:os';
import { parseArgs } from 'node:util';
import { createClassifier, loadDefaultModel } from '@sophia/classifier-core';
import { dataDirOption, numberOption } from './cli-args.ts';
import { loadArenaHardPrompts } from './load-arena-hard.ts';
import { percentile } from './percentiles.ts';

// `npm run bench -w @sophia/classifier-train -- [--data DIR] [--rounds N]`
// Per-prompt classify latency (tokenizer + features + scoring) over the Arena-Hard prompts, on the one
// thread Node runs JS on. One warm-up pass, then N measured passes.
const { values } = parseArgs({ options: { data: { type: 'string' }, rounds: { type: 'string' } } });
const prompts = loadArenaHardPrompts(dataDirOption(values.data, 'arena-hard/question.jsonl', 'bench'));
const rounds = numberOption(values.rounds, 'rounds', 5);

const classifier = createClassifier(loadDefaultModel());
for (const prompt of prompts) classifier.classify([{ role: 'user', content: prompt }]);
const timings: number[] = [];
const cpuTimings: number[] = [];
const tiers = { simple: 0, balanced: 0, complex: 0 };
for (let r = 0; r < rounds; r++) {
  for (const prompt of prompts) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const result = classifier.classify([{ role: 'user', content: prompt }]);
    timings.push(Number(process.hrtime.bigint() - start) / 1e6);
    const cpu = process.cpuUsage(cpuStart);
    cpuTimings.push((cpu.user + cpu.system) / 1000);
    if (r === 0) tiers[result.tier]++;
  }
}
const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;
process.stdout.write(
  [
    `classify latency over ${prompts.length} Arena-Hard prompts × ${rounds} rounds (${timings.length} calls, single thread, after warm-up)`,
    `wall  p50 ${fmt(percentile(timings, 50))}  p90 ${fmt(percentile(timings, 90))}  p99 ${fmt(percentile(timings, 99))}  max ${fmt(percentile(timings, 100))}`,
    `cpu   p50 ${fmt(percentile(cpuTimings, 50))}  p90 ${fmt(percentile(cpuTimings, 90))}  p99 ${fmt(percentile(cpuTimings, 99))}  max ${fmt(percentile(cpuTimings, 100))}  (process CPU time per call: immune to other processes on a shared machine)`,
    `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores (wall-clock figures include preemption)`,
    `mean ${fmt(timings.reduce((a, b) => a + b, 0) / timings.length)}; tiers ${JSON.stringify(tiers)}; model ${classifier.modelVersion}`,
    '',
  ].join('\n'),
);
