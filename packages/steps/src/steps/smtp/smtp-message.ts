import type { Readable } from 'node:stream';
import type MailComposerClass from 'nodemailer/lib/mail-composer';
import { parseMailbox } from '../../catalogue/mail-address.js';
import type { Mailbox } from '../../catalogue/mail-address.js';
import type { SmtpConfig } from '../../catalogue/smtp.js';

/** A message ready to send: the envelope (bcc included), its Message-ID and its MIME text. */
export interface ComposedMessage {
  readonly envelope: { readonly from: string; readonly to: string[] };
  /** With angle brackets, as in the header. */
  readonly messageId: string;
  readonly stream: Readable;
}

/** Who sends and which attempt: the parts of the Message-ID. */
export interface MessageOrigin {
  readonly runId: string;
  readonly stepId: string;
  readonly attempt: number;
}

/** The schema checked every address; one that does not parse here is a programming error. */
function mailbox(text: string): Mailbox {
  const parsed = parseMailbox(text);
  if (parsed === undefined) throw new Error(`unchecked address reached the smtp step: ${text}`);
  return parsed;
}

const mailboxes = (list: readonly string[] | undefined): Mailbox[] | undefined => list?.map(mailbox);

/** A Message-ID part: dot-atom text without the characters a step key may hold. */
const idPart = (text: string): string => text.replace(/[^A-Za-z0-9_-]+/g, '-');

/**
 * The Message-ID of one attempt: `<flotilla.RUN.STEP.ATTEMPT@sender-domain>`. Stable for the
 * attempt, so the journal knows which message an interrupted step may have sent, and unique
 * across runs (the run id is).
 */
export function messageIdOf(origin: MessageOrigin, from: string): string {
  const domain = mailbox(from).address.split('@').pop() ?? 'localhost';
  return `<flotilla.${idPart(origin.runId)}.${idPart(origin.stepId)}.${origin.attempt}@${domain}>`;
}

/**
 * Builds the message with nodemailer's MailComposer from the step's fields. Addresses go in as
 * parsed mailboxes, so nodemailer does not read a display name as a second address; only
 * strings go in (never `path` or `href` contents), and file and URL access are off regardless.
 */
export function composeMessage(
  MailComposer: typeof MailComposerClass,
  config: SmtpConfig,
  origin: MessageOrigin,
): ComposedMessage {
  const node = new MailComposer({
    from: mailbox(config.from),
    to: mailboxes(config.to),
    cc: mailboxes(config.cc),
    bcc: mailboxes(config.bcc),
    ...(config.reply_to === undefined ? {} : { replyTo: mailbox(config.reply_to) }),
    subject: config.subject,
    ...(config.body === undefined ? {} : { text: config.body }),
    ...(config.html === undefined ? {} : { html: config.html }),
    // an empty message still gets a text part, so readers show an empty body rather than nothing
    ...(config.body === undefined && config.html === undefined ? { text: '' } : {}),
    headers: config.headers,
    messageId: messageIdOf(origin, config.from),
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  const envelope = node.getEnvelope();
  return {
    envelope: { from: envelope.from === false ? '' : envelope.from, to: envelope.to },
    messageId: node.messageId(),
    stream: node.createReadStream(),
  };
}
