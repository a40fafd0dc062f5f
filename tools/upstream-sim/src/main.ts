import { parseCliOptions, USAGE } from './cli-options.ts';

/**
 * The simulator as a process, for `npm start`, the fault suite and benchmarks. stdout carries exactly
 * one JSON line once listening (`{"event":"listening","url",...}`) so a parent can read the URL; logs go
 * to stderr. Exit codes: 0 after SIGTERM/SIGINT, 2 for bad flags, 1 if it cannot listen.
 */
const parsed = parseCliOptions(process.argv.slice(2), process.env);
if (!parsed.ok) {
  process.stderr.write(`upstream-sim: ${parsed.message}\n${USAGE}\n`);
  process.exit(2);
}
if ('help' in parsed) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

try {
  // Loaded after the flags are known good: the tokenizer tables take a moment to load.
  const { createUpstreamSimulator } = await import('./upstream-simulator.ts');
  const simulator = await createUpstreamSimulator(parsed.options);
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: simulator.url, persona: simulator.persona })}\n`);
  process.stderr.write(
    `upstream-sim: ${simulator.persona} persona listening on ${simulator.url}` +
      `${parsed.options.fault ? ` with fault ${JSON.stringify(parsed.options.fault)}` : ''}\n`,
  );
  const shutdown = (signal: string): void => {
    process.stderr.write(`upstream-sim: ${signal} received, closing\n`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`upstream-sim: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // Under an orchestrator (IPC channel): close when the parent goes away instead of lingering.
  if (process.channel) {
    process.once('disconnect', () => shutdown('disconnect'));
    process.channel.unref();
  }
} catch (error) {
  process.stderr.write(`upstream-sim: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
