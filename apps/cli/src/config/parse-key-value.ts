import { CliError } from '../cli-error.js';

/** Commander collector for repeatable `--label k=v` style flags. */
export function collectKeyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const index = value.indexOf('=');
  if (index <= 0) throw new CliError(`expected key=value, got "${value}"`, 2);
  return { ...previous, [value.slice(0, index)]: value.slice(index + 1) };
}
