import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import type MailComposerClass from 'nodemailer/lib/mail-composer';
import type SMTPConnectionClass from 'nodemailer/lib/smtp-connection';
import type { SMTPConnectionOptions, SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import { abortedError } from '../../process/aborted-error.js';
import type { SmtpConfig } from '../../catalogue/smtp.js';

/** How long a server may take to answer QUIT before the connection is dropped anyway. */
const QUIT_GRACE_MS = 2_000;

interface Nodemailer {
  readonly SMTPConnection: typeof SMTPConnectionClass;
  readonly MailComposer: typeof MailComposerClass;
}
let nodemailer: Promise<Nodemailer> | undefined;

/** nodemailer loads on first use: an agent that never sends mail does not carry it (memory). */
export const loadNodemailer = (): Promise<Nodemailer> =>
  (nodemailer ??= Promise.all([import('nodemailer/lib/smtp-connection'), import('nodemailer/lib/mail-composer')]).then(
    ([connection, composer]) => ({ SMTPConnection: connection.default, MailComposer: composer.default }),
  ));

/** An SMTP session over a connected socket, each exchange a promise; see {@link startSmtpSession}. */
export interface SmtpSession {
  /** Whether the session is encrypted (implicit TLS or STARTTLS), known once started. */
  readonly secure: () => boolean;
  /** Whether the server offered AUTH (after STARTTLS, when there was one). */
  readonly offersAuth: () => boolean;
  login(user: string, password: string): Promise<void>;
  send(envelope: { from: string; to: string[] }, message: Readable): Promise<SMTPConnectionSendInfo>;
  /** Says QUIT and closes once answered, or after {@link QUIT_GRACE_MS}; never fails. */
  quit(): void;
  /** Drops the connection at once. */
  close(): void;
}

export interface SmtpSessionOptions {
  readonly SMTPConnection: typeof SMTPConnectionClass;
  readonly socket: Socket;
  readonly config: SmtpConfig;
  /** Greeting, EHLO and any TLS setup must be done within this. */
  readonly setupMs: number;
  readonly signal: AbortSignal;
}

/** nodemailer's options for the step's config: TLS mode and trust, the EHLO name, timeouts. */
function connectionOptions(options: SmtpSessionOptions): SMTPConnectionOptions {
  const { config } = options;
  const starttls = config.starttls ?? (config.auth === undefined ? 'auto' : 'required');
  return {
    host: config.host,
    connection: options.socket,
    secure: config.tls,
    requireTLS: !config.tls && starttls === 'required',
    ignoreTLS: !config.tls && starttls === 'off',
    ...(config.helo_name === undefined ? {} : { name: config.helo_name }),
    tls: {
      rejectUnauthorized: !config.insecure_skip_verify,
      // trusted besides the built-in roots, not instead of them
      ...(config.ca === undefined ? {} : { ca: [...rootCertificates, config.ca] }),
    },
    connectionTimeout: options.setupMs,
    greetingTimeout: options.setupMs,
    // closing drops the socket: a server that never closes its side cannot keep the process up
    socketCloseTimeout: 0,
    logger: false,
    debug: false,
  };
}

/**
 * Runs the greeting, EHLO and STARTTLS (as configured) over `socket` with nodemailer's
 * SMTPConnection, and returns the session. Every exchange settles exactly once: with its
 * result, the connection's error, a close, or the abort of `signal` (which drops the connection
 * and rejects with the abort's error).
 */
export async function startSmtpSession(options: SmtpSessionOptions): Promise<SmtpSession> {
  const connection = new options.SMTPConnection(connectionOptions(options));
  // nodemailer reports some failures only as 'error' events; one without a listener would throw
  const errors: Error[] = [];
  connection.on('error', (err: Error) => errors.push(err));

  const exchange = <T>(start: (done: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null | undefined, value?: T): void => {
        if (settled) return;
        settled = true;
        connection.off('error', onError);
        connection.off('end', onEnd);
        options.signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(value as T);
      };
      const onError = (err: Error): void => {
        finish(err);
      };
      // an error normally comes first; a close without one is still the end of this exchange
      const onEnd = (): void => {
        finish(errors.at(-1) ?? Object.assign(new Error('the server closed the connection'), { code: 'ECONNECTION' }));
      };
      const onAbort = (): void => {
        connection.close();
        finish(abortedError(options.signal));
      };
      if (options.signal.aborted) {
        onAbort();
        return;
      }
      connection.on('error', onError);
      connection.once('end', onEnd);
      options.signal.addEventListener('abort', onAbort, { once: true });
      start(finish);
    });

  try {
    await exchange<undefined>((done) => {
      connection.connect((err) => {
        done(err);
      });
    });
  } catch (err) {
    connection.close();
    throw err;
  }
  return {
    secure: () => connection.secure,
    offersAuth: () => connection.allowsAuth,
    login: (user, password) =>
      exchange<undefined>((done) => {
        connection.login({ credentials: { user, pass: password } }, (err) => {
          done(err);
        });
      }),
    send: (envelope, message) =>
      exchange<SMTPConnectionSendInfo>((done) => {
        connection.send(envelope, message, done);
      }),
    quit: () => {
      connection.quit();
      setTimeout(() => {
        connection.close();
      }, QUIT_GRACE_MS).unref();
    },
    close: () => {
      connection.close();
    },
  };
}
