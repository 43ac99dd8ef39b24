/**
 * Splits a command line into words the way a POSIX shell would for plain words and quotes
 * (`'…'`, `"…"`, `\x`); nothing is expanded. `undefined` when a quote is left open.
 */
export function splitWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  /** A word has started (it may be empty: `''` is one empty argument). */
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line.charAt(i + 1))) word += line.charAt(++i);
      else word += c;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\' && i + 1 < line.length) word += line.charAt(++i);
      else word += c;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(word);
  return words;
}

export interface CommandWorkflowOptions {
  /** What the user typed. */
  line: string;
  /** Run it with `/bin/sh -c` (pipes, `$VAR`); otherwise the first word is the program. */
  shell: boolean;
  /** The step's timeout (`5m`). */
  timeout: string;
}

/**
 * The one-step `command` workflow an ad-hoc command runs as, the same document `flotilla exec`
 * submits (JSON is YAML). Throws when the line has no program or an open quote.
 */
export function commandWorkflow(options: CommandWorkflowOptions): string {
  let config: { command: string; args?: string[]; shell?: true };
  if (options.shell) {
    if (options.line.trim() === '') throw new Error('type a command to run');
    config = { command: options.line, shell: true };
  } else {
    const words = splitWords(options.line);
    if (words === undefined) throw new Error('a quote is not closed');
    const [command, ...args] = words;
    if (command === undefined) throw new Error('type a command to run');
    config = { command, args };
  }
  return JSON.stringify({
    name: 'exec',
    tasks: [{ name: 'exec', type: 'command', timeout: options.timeout, config }],
  });
}
