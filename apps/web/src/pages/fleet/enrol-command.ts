/** Quotes one word for a POSIX shell (single quotes; a quote inside becomes `'\''`). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export interface EnrolCommandOptions {
  /** The control plane's URL as agents reach it (the UI's own origin). */
  serverUrl: string;
  /** The enrolment token's secret (shown once). */
  token: string;
}

/**
 * The one line that enrols a machine with `flotilla agent` (docs/install.md): the token in the
 * environment, where `ps` does not show it. The name defaults to the hostname and the labels come
 * from the token, so neither is on the line.
 */
export function enrolCommand(options: EnrolCommandOptions): string {
  return `FLOTILLA_ENROLL_TOKEN=${shellQuote(options.token)} flotilla agent --server ${shellQuote(options.serverUrl)}`;
}
