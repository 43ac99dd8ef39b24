import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';

/** One message the peer received: the SMTP envelope and session as it saw them, and the parsed mail. */
export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  /** Whether the session was encrypted (implicit TLS or STARTTLS). */
  secure: boolean;
  /** The user that logged in, if one did. */
  user: string | undefined;
  /** The EHLO name the client sent. */
  clientHostname: string;
  /** The message as the client sent it (CRLF line ends). */
  raw: string;
  mail: ParsedMail;
}

/** A real SMTP server (the `smtp-server` package) on a loopback port; see {@link startSmtpPeer}. */
export interface SmtpPeer {
  host: string;
  port: number;
  received: ReceivedMail[];
  /** The AUTH methods clients used, in order (`PLAIN`, `LOGIN`), failed attempts included. */
  authAttempts: { method: string; user: string; ok: boolean }[];
  close(): Promise<void>;
}

export interface SmtpPeerOptions {
  /** Accounts that may log in; without any, AUTH is not offered. */
  users?: Record<string, string>;
  /** The reply code of a refused login. @default 535 (bad credentials); 454 is a temporary failure */
  authFailureCode?: number;
  /** Recipients the server refuses at RCPT TO, with the reply code (550 unless given). */
  refuse?: Record<string, number>;
  /**
   * Refuse STARTTLS (502) rather than offer it. Without a `server.cert` it is refused anyway:
   * smtp-server's built-in certificate has expired.
   */
  noStarttls?: boolean;
  /** Further `smtp-server` options (TLS key and cert, authMethods, secure …). */
  server?: Partial<SMTPServerOptions>;
}

/**
 * Starts an SMTP server on 127.0.0.1 and a free port that keeps every message it accepts,
 * parsed with `mailparser`. The real peer of the `smtp` step's tests (SPEC §14).
 */
export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const received: ReceivedMail[] = [];
  const authAttempts: SmtpPeer['authAttempts'] = [];
  const users = options.users ?? {};
  const disabled = [
    ...(Object.keys(users).length === 0 ? ['AUTH'] : []),
    ...(options.noStarttls === true || options.server?.cert === undefined ? ['STARTTLS'] : []),
  ];
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: disabled,
    onAuth(auth, _session, callback) {
      const ok = auth.username !== undefined && users[auth.username] === auth.password;
      authAttempts.push({ method: auth.method, user: auth.username ?? '', ok });
      if (ok) callback(null, { user: auth.username });
      else
        callback(
          Object.assign(new Error('Invalid username or password'), { responseCode: options.authFailureCode ?? 535 }),
        );
    },
    onRcptTo(address, _session, callback) {
      const code = options.refuse?.[address.address];
      if (code === undefined) callback();
      else
        callback(Object.assign(new Error(`no mailbox here by that name: ${address.address}`), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (mail) => {
            const from = session.envelope.mailFrom;
            received.push({
              mailFrom: from === false ? '' : from.address,
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              secure: session.secure,
              user: typeof session.user === 'string' ? session.user : undefined,
              clientHostname: session.hostNameAppearsAs,
              raw,
              mail,
            });
            callback();
          },
          (err: unknown) => {
            callback(err instanceof Error ? err : new Error(String(err)));
          },
        );
      });
    },
    ...options.server,
  });
  // a client that drops the connection is reported as an error; the test sees it from the client side
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    received,
    authAttempts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
