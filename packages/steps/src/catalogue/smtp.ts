import { z } from 'zod';
import { DurationSchema } from '@flotilla/protocol';
import { MailAddressListSchema, MailAddressSchema } from './mail-address.js';
import { defineStepSpec } from './step-spec.js';

/** A header line ends at CR or LF: a value holding one could add headers of its own. */
const ONE_LINE = /^[^\r\n]*$/;
/** RFC 5322 field name: printable ASCII but the colon. */
const HEADER_NAME = /^[!-9;-~]+$/;
/** Headers the step writes itself, with the field that sets each (none: the step alone). */
const OWN_HEADERS: ReadonlyMap<string, string | undefined> = new Map([
  ['from', 'from'],
  ['to', 'to'],
  ['cc', 'cc'],
  ['bcc', 'bcc'],
  ['reply-to', 'reply_to'],
  ['subject', 'subject'],
  ['message-id', undefined],
  ['date', undefined],
  ['mime-version', undefined],
  ['content-type', undefined],
  ['content-transfer-encoding', undefined],
]);
/** A host name or an address literal (`[192.0.2.1]`), as EHLO takes it. */
const HELO_NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

const oneLine = (what: string) => z.string().regex(ONE_LINE, `${what} is one line (no line breaks)`);
const optionalList = (what: string) =>
  MailAddressListSchema.optional().describe(`${what}: one address or a list (\`a@x.org\` or \`Name <a@x.org>\`).`);

/** Config of the `smtp` step. */
export const SmtpConfigSchema = z
  .strictObject({
    host: z.string().min(1).describe('SMTP server: host name or IP address.'),
    port: z
      .int()
      .min(1)
      .max(65_535)
      .optional()
      .describe('Server port. Default 465 with `tls: true`, else 587 (submission); a relay usually listens on 25.'),
    tls: z
      .boolean()
      .default(false)
      .describe('Implicit TLS (SMTPS, usually port 465): the connection is encrypted from its first byte.'),
    starttls: z
      .enum(['auto', 'required', 'off'])
      .optional()
      .describe(
        'On a plain connection: `auto` upgrades with STARTTLS when the server offers it, `required` fails when it does not, `off` never upgrades. Default `auto`, and `required` when `auth` is set.',
      ),
    insecure_skip_verify: z
      .boolean()
      .default(false)
      .describe('Accept any TLS certificate (self-signed test servers only).'),
    ca: z
      .string()
      .regex(PEM_CERTIFICATE, 'expected a PEM certificate (-----BEGIN CERTIFICATE----- …)')
      .optional()
      .describe(
        "PEM certificate(s) of a CA to trust besides Node's built-in ones (a private CA, a self-signed server).",
      ),
    helo_name: z
      .string()
      .regex(HELO_NAME, 'a host name such as mail.example.com, or an address literal such as [192.0.2.1]')
      .optional()
      .describe("Name sent with EHLO/HELO. Default the agent's host name when it is dotted, else [127.0.0.1]."),
    auth: z
      .strictObject({
        user: z.string().min(1).describe('User name.'),
        password: z
          .string()
          .min(1)
          .describe('Password: write it as a secret (`{{.SMTP_PASSWORD}}`) so that it is masked.'),
      })
      .optional()
      .describe('Log in (AUTH PLAIN or LOGIN, whichever the server offers) over an encrypted connection.'),
    from: MailAddressSchema.describe('Sender: `ops@example.com` or `Ops <ops@example.com>`; also the envelope sender.'),
    to: MailAddressListSchema.describe('Recipients: one address or a list.'),
    cc: optionalList('Copy recipients'),
    bcc: optionalList('Blind copy recipients, in the envelope only'),
    reply_to: MailAddressSchema.optional().describe('Reply-To address.'),
    subject: oneLine('the subject').default('').describe('Subject line.'),
    body: z.string().optional().describe('Plain text body.'),
    html: z.string().optional().describe('HTML body; with `body` as well, the message carries both (alternatives).'),
    headers: z
      .record(
        z.string().regex(HEADER_NAME, 'a header name is printable ASCII without ":" or spaces'),
        oneLine('a header value'),
      )
      .default({})
      .describe('Extra header lines, e.g. `X-Priority: "1"`.'),
    connect_timeout: DurationSchema.optional().describe(
      "Time allowed to connect, get the server's greeting and set up TLS. Default 30s; the step's timeout bounds the whole exchange.",
    ),
  })
  .superRefine((config, ctx) => {
    if (config.tls && config.starttls !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['starttls'],
        message: 'with tls: true the connection is encrypted from the start; starttls applies to plain connections',
      });
    }
    if (config.auth !== undefined && !config.tls && config.starttls === 'off') {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message: 'the password would cross the network in clear: use tls: true or STARTTLS (not starttls: off)',
      });
    }
    for (const name of Object.keys(config.headers)) {
      const lower = name.toLowerCase();
      if (!OWN_HEADERS.has(lower)) continue;
      const field = OWN_HEADERS.get(lower);
      ctx.addIssue({
        code: 'custom',
        path: ['headers', name],
        message: `the step writes ${name} itself${field === undefined ? '' : `: set it with the ${field} field`}`,
      });
    }
  });
export type SmtpConfig = z.output<typeof SmtpConfigSchema>;

/**
 * `smtp`: send one e-mail through an SMTP server. At-most-once: a message may have been
 * accepted when the agent crashed, and sending it again would deliver it twice.
 */
export const smtpSpec = defineStepSpec({
  type: 'smtp',
  description: 'Send an e-mail through an SMTP server',
  configSchema: SmtpConfigSchema,
  effect: () => 'at-most-once',
});
