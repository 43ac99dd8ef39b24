import { StepError } from '@flotilla/workflow';
import { RETRYABLE_SOCKET_CODES } from '../../net/socket-errors.js';
import { abortedError } from '../../process/aborted-error.js';

/** Where the exchange was when it failed, which decides what a failure means for delivery. */
export type SmtpStage = 'connect' | 'auth' | 'send';

/** What nodemailer puts on its errors (and Node on socket errors), read without trusting it. */
export interface SmtpFailureDetail {
  /** nodemailer's code (`EAUTH`, `ETLS`, `EENVELOPE` …) or a socket's (`ECONNREFUSED`). */
  readonly code: string;
  /** The socket's or TLS's own code under nodemailer's (`CERT_HAS_EXPIRED`). */
  readonly originalCode: string;
  /** Which of nodemailer's own timers fired (`GREETING_TIMEOUT`, `SOCKET_TIMEOUT` …), if one did. */
  readonly timeoutType: string | undefined;
  /** The server's reply that failed the command, if one did. */
  readonly response: string | undefined;
  readonly responseCode: number | undefined;
  readonly message: string;
}

const stringField = (err: unknown, key: string): string | undefined => {
  const value = typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : undefined;
};

/** The fields of a thrown nodemailer or socket error. */
export function failureDetail(err: unknown): SmtpFailureDetail {
  const responseCode = typeof err === 'object' && err !== null ? (err as { responseCode?: unknown }).responseCode : 0;
  return {
    code: stringField(err, 'code') ?? '',
    originalCode: stringField(err, 'originalCode') ?? '',
    timeoutType: stringField(err, 'timeoutType'),
    response: stringField(err, 'response'),
    responseCode: typeof responseCode === 'number' && responseCode > 0 ? responseCode : undefined,
    message: err instanceof Error ? err.message : String(err),
  };
}

/** Certificate and TLS protocol failures: the same server fails the same way next time. */
const TLS_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|HOSTNAME|IP_MISMATCH/;

/** A 4xx reply: the server refused for now and may accept the same later (RFC 5321 §4.2.1). */
const transientReply = (detail: SmtpFailureDetail): boolean =>
  detail.responseCode !== undefined && detail.responseCode >= 400 && detail.responseCode < 500;

export interface SmtpErrorContext {
  /** `host:port`, for messages. */
  readonly target: string;
  readonly stage: SmtpStage;
  /** The time allowed for connecting and the greeting (`connect_timeout`), for messages. */
  readonly setupMs: number;
  /** Removed from messages (the engine masks secrets too, but not every server echoes verbatim). */
  readonly password: string | undefined;
  readonly signal: AbortSignal;
  readonly outputs: Record<string, unknown>;
}

/**
 * Turns whatever the exchange threw into a StepError that says whether a retry can help. Before
 * the message is handed over, network failures and 4xx replies are retryable; an authentication
 * refusal is `REMOTE_AUTH_FAILED`; a certificate or STARTTLS failure is not retryable. Once the
 * message was being sent, only a 4xx reply is retryable: a connection lost then may have
 * delivered the message, and sending it again would deliver it twice.
 */
export function toSmtpStepError(err: unknown, context: SmtpErrorContext): StepError {
  const { outputs, target } = context;
  if (context.signal.aborted) return abortedError(context.signal, outputs);
  if (err instanceof StepError) {
    return new StepError(err.code, err.message, { retryable: err.retryable, outputs, cause: err });
  }
  const detail = failureDetail(err);
  const secret = context.password;
  const message =
    secret !== undefined && secret.length >= 3 ? detail.message.replaceAll(secret, '***') : detail.message;
  const fail = (code: 'STEP_FAILED' | 'STEP_TIMEOUT' | 'REMOTE_AUTH_FAILED', text: string, retryable: boolean) =>
    new StepError(code, text, { retryable, outputs, cause: err });

  if (TLS_FAILURE.test(detail.originalCode) || TLS_FAILURE.test(detail.code)) {
    return fail(
      'STEP_FAILED',
      `${target}: TLS failed: ${message} (trust the server's CA with ca, or accept any certificate of a test server with insecure_skip_verify)`,
      false,
    );
  }
  if (detail.timeoutType !== undefined && context.stage === 'connect') {
    return fail(
      'STEP_TIMEOUT',
      `${target}: greeting and TLS setup not done within ${context.setupMs} ms (connect_timeout)`,
      true,
    );
  }
  if (RETRYABLE_SOCKET_CODES.has(detail.code) && context.stage === 'connect') {
    return fail('STEP_FAILED', `cannot reach ${target}: ${message}`, true);
  }
  switch (detail.code) {
    case 'EAUTH':
      return fail('REMOTE_AUTH_FAILED', `smtp authentication at ${target} failed: ${message}`, transientReply(detail));
    case 'ETLS':
      return fail('STEP_FAILED', `${target}: ${message}`, false);
    case 'EREQUIRETLS':
      return fail('STEP_FAILED', `${target}: ${message}`, false);
    default:
      break;
  }
  if (context.stage !== 'send') {
    const permanent = detail.responseCode !== undefined && !transientReply(detail);
    return fail('STEP_FAILED', `smtp session with ${target} failed: ${message}`, !permanent);
  }
  // an envelope or message refusal (a reply, or nodemailer's own check such as SIZE) sent nothing
  if (detail.response !== undefined || detail.code === 'EENVELOPE' || detail.code === 'EMESSAGE') {
    return fail('STEP_FAILED', `${target} refused the message: ${message}`, transientReply(detail));
  }
  return fail(
    'STEP_FAILED',
    `the session with ${target} broke off while sending (${message}); the message may have been delivered, so it is not sent again`,
    false,
  );
}
