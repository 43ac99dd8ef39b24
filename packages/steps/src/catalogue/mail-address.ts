import { z } from 'zod';

/**
 * The address part, as browsers check `<input type="email">` (WHATWG): ASCII, a dot-less domain
 * allowed (`root@localhost`). Internationalised domains are written in punycode.
 */
const ADDRESS = z.regexes.html5Email;
/**
 * `Display Name <address>`: the name bare (no `,` or `;`, which would separate mailboxes) or
 * quoted (then anything but a bare `"`; a quoted name may hold commas and `<`).
 */
const NAMED = /^\s*(?:"((?:[^"\\\r\n]|\\.)*)"|([^"<>\r\n,;]*?))\s*<([^<>\s]*)>\s*$/;

/** A mailbox as the message carries it: the display name (maybe empty) and the address. */
export interface Mailbox {
  readonly name: string;
  readonly address: string;
}

/** The mailbox `text` names (`a@b` or `Name <a@b>`), or `undefined` when it is neither. */
export function parseMailbox(text: string): Mailbox | undefined {
  const named = NAMED.exec(text);
  if (named === null) {
    const address = text.trim();
    return ADDRESS.test(address) ? { name: '', address } : undefined;
  }
  const [, quoted, bare, address = ''] = named;
  if (!ADDRESS.test(address)) return undefined;
  return { name: quoted === undefined ? (bare ?? '') : quoted.replace(/\\(.)/g, '$1'), address };
}

/** One mailbox: `ops@example.com` or `Ops Team <ops@example.com>`. */
export const MailAddressSchema = z.string().refine((text) => parseMailbox(text) !== undefined, {
  error: (issue) =>
    `"${String(issue.input)}" is not an e-mail address (write ops@example.com or "Ops Team <ops@example.com>")`,
});

/** One mailbox or a list of them; a single one is read as a list of one. */
export const MailAddressListSchema = z
  .union([MailAddressSchema, z.array(MailAddressSchema).min(1, 'give at least one address')])
  .transform((value) => (typeof value === 'string' ? [value] : value));
