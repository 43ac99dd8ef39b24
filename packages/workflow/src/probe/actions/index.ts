import type { ProbeAction } from './action.js';
import { dbAction } from './db.js';
import { embeddedAction } from './embedded.js';
import { helloAction } from './hello.js';
import { httpAction } from './http.js';
import { shellAction } from './shell.js';
import { smtpAction } from './smtp.js';
import { sshAction } from './ssh.js';

/** probe's built-in actions that Flotilla runs, by `uses:` name. */
export const PROBE_ACTIONS: ReadonlyMap<string, ProbeAction> = new Map(
  [httpAction, shellAction, dbAction, sshAction, smtpAction, helloAction, embeddedAction].map((action) => [
    action.name,
    action,
  ]),
);

/** probe's actions that Flotilla does not run: a document using one fails with UNSUPPORTED_ACTION. */
export const UNSUPPORTED_ACTIONS: Readonly<Record<string, string>> = {
  browser: 'browser automation (ChromeDP) is not a Flotilla step type',
  grpc: 'gRPC calls are not a Flotilla step type',
  imap: 'IMAP mailboxes are not a Flotilla step type',
  'mail-latency': 'Maildir latency measurement is not a Flotilla step type',
  dns: 'DNS queries are not a Flotilla step type',
  graphql: 'GraphQL is not a Flotilla step type (send it with http)',
  jmap: 'JMAP is not a Flotilla step type',
  redis: 'Redis is not a Flotilla step type',
  s3: 'S3 is not a Flotilla step type',
  websocket: 'WebSocket is not a Flotilla step type',
};
