/** A shell command as the docs show it. */
export interface DocCommand {
  /** The command, continuation lines joined and a trailing `# comment` removed. */
  readonly command: string;
  /** Repository-relative file and 1-based line. */
  readonly file: string;
  readonly line: number;
}

const SHELL_FENCES = new Set(['sh', 'bash', 'shell', 'console']);
/** Programs whose inline code spans are commands a reader may type. */
const COMMAND_WORDS = /^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:npm|npx|node|bash|sh|curl|cd|docker|kubectl|grpcurl|redis-cli|helm|git|buf|ghz)\s/;

/** Strips a shell comment that starts after whitespace, outside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/** Collapses runs of whitespace, so a command is matched whatever its alignment. */
export function normalise(command: string): string {
  return command.replace(/\s+/g, ' ').trim();
}

/**
 * The commands in one markdown file: every line of a sh/bash/shell/console fence (`$ ` prompts
 * removed, `\` continuations joined, comments dropped) and every inline code span that starts with
 * a program a reader would type (`npm …`, `curl …`, `cd … && …`), table escapes (`\|`) undone.
 */
export function extractCommands(file: string, markdown: string): DocCommand[] {
  const out: DocCommand[] = [];
  const lines = markdown.split('\n');
  let fence: string | undefined;
  let pending = '';
  let pendingLine = 0;
  lines.forEach((raw, i) => {
    const fenceMatch = /^\s*```(\w*)/.exec(raw);
    if (fenceMatch) {
      fence = fence === undefined ? fenceMatch[1]! : undefined;
      return;
    }
    if (fence !== undefined) {
      if (!SHELL_FENCES.has(fence)) return;
      let text = raw.replace(/^\s*\$\s/, '');
      if (pending === '') pendingLine = i + 1;
      const continued = /\\\s*$/.test(text);
      text = stripComment(text.replace(/\\\s*$/, ''));
      pending = pending === '' ? text : `${pending} ${text.trim()}`;
      if (continued) return;
      if (normalise(pending) !== '') out.push({ command: normalise(pending), file, line: pendingLine });
      pending = '';
      return;
    }
    for (const m of raw.matchAll(/`([^`]+)`/g)) {
      const span = m[1]!.replace(/\\\|/g, '|');
      if (COMMAND_WORDS.test(span)) out.push({ command: normalise(span), file, line: i + 1 });
    }
  });
  return out;
}
