import type { SupervisorEvent } from './supervisor.ts';

/** One human line (plus the last log lines of a crash) for each supervisor event, as `npm start` prints it. */
export function describeSupervisorEvent(event: SupervisorEvent): string {
  switch (event.kind) {
    case 'crashed': {
      const how = event.signal ? `killed by ${event.signal}` : `exit code ${String(event.code)}`;
      const next = event.restartInMs >= 0 ? `restarting in ${event.restartInMs} ms` : 'not restarting';
      const tail = event.lastLines.slice(-10).map((l) => `\n    ${l}`).join('');
      return `${event.unit} exited unexpectedly (${how}); ${next}. Its last log lines:${tail || ' (none)'}`;
    }
    case 'restarted':
      return `${event.unit} restarted (pid ${event.pid}, restart ${event.attempt} in the window)`;
    case 'restart-failed':
      return `${event.unit} failed to restart: ${event.error.split('\n')[0]}`;
    case 'gave-up':
      return `giving up: ${event.reason}`;
  }
}
