// .dockerignore patterns as matchers (the subset the Dockerfile's ignore file uses: `*`, `**/`, a
// trailing `/`, comments). A pattern excludes a path when it matches the path or any parent of it.

/** A compiled ignore file. */
export interface IgnoreMatcher {
  /** True when the repository-relative path (forward slashes) is excluded from the build context. */
  excludes(path: string): boolean;
}

function toRegex(pattern: string): RegExp {
  let source = '';
  const p = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (p.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (p.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Parses ignore-file text; `!` exceptions are rejected because nothing here needs them. */
export function parseIgnoreFile(text: string, where: string): IgnoreMatcher {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      if (line.startsWith('!')) throw new Error(`${where}: exception pattern "${line}" is not supported by deploy-check`);
      return toRegex(line);
    });
  return {
    excludes(path: string): boolean {
      const parts = path.split('/');
      for (let n = 1; n <= parts.length; n++) {
        const prefix = parts.slice(0, n).join('/');
        if (patterns.some((re) => re.test(prefix))) return true;
      }
      return false;
    },
  };
}
