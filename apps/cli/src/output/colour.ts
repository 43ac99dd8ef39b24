/** The few styles the run view uses; each returns its text unchanged when colour is off. */
export interface Palette {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\x1b[${open}m${text}\x1b[${close}m`;
const same = (text: string): string => text;

/** ANSI styles, or plain text when `enabled` is false. */
export function createPalette(enabled: boolean): Palette {
  if (!enabled) return { enabled, bold: same, dim: same, red: same, green: same, yellow: same };
  return { enabled, bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39) };
}

/**
 * Whether to colour what goes to `stream`: never with `NO_COLOR` set (no-color.org), always
 * with `FORCE_COLOR` set (not `0`) — e.g. for CI logs that render ANSI —, otherwise only on a
 * terminal that has colours.
 */
export function wantsColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.NO_COLOR ?? '') !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY && (typeof stream.hasColors !== 'function' || stream.hasColors());
}
