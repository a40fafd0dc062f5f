import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { watchParent } from './watch-parent.ts';

describe('watchParent', () => {
  it('calls back once when the parent pid changes', () => {
    jest.useFakeTimers();
    try {
      let ppid = 100;
      const gone = jest.fn();
      watchParent(gone, { intervalMs: 10, ppid: () => ppid });
      jest.advanceTimersByTime(50);
      expect(gone).not.toHaveBeenCalled();
      ppid = 1;
      jest.advanceTimersByTime(50);
      expect(gone).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('notices a real parent being killed (the npm start case)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'watch-parent-'));
    const marker = path.join(dir, 'gone');
    const ready = path.join(dir, 'ready');
    const module = path.join(__dirname, 'watch-parent.ts');
    // parent (a shell) → child (node watching its parent); SIGKILL the shell, the child must notice.
    const child = [
      `const fs = require('node:fs');`,
      `import('${module}').then((m) => { m.watchParent(() => { fs.writeFileSync('${marker}', 'x'); process.exit(0); }, { intervalMs: 20 }); fs.writeFileSync('${ready}', 'x'); });`,
      `setTimeout(() => process.exit(1), 60000);`,
    ].join(' ');
    const shell = spawn('sh', ['-c', `"${process.execPath}" -e "${child.replaceAll('"', '\\"')}" & wait`], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 400 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 25));
      expect(existsSync(ready)).toBe(true);
      shell.kill('SIGKILL');
      for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 25));
      expect(existsSync(marker)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
