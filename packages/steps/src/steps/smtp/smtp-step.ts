import type { Socket } from 'node:net';
import { StepError } from '@flotilla/workflow';
import { smtpSpec } from '../../catalogue/smtp.js';
import { openGuardedSocket } from '../../net/guarded-socket.js';
import { withRunner } from '../step-runner.js';
import { toSmtpStepError } from './smtp-errors.js';
import type { SmtpStage } from './smtp-errors.js';
import { composeMessage, messageIdOf } from './smtp-message.js';
import { loadNodemailer, startSmtpSession } from './smtp-session.js';
import type { SmtpSession } from './smtp-session.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** A recipient the server refused, with its reply. */
interface Rejection {
  address: string;
  code: number | null;
  response: string;
}

/** The rejections nodemailer collected (`rejectedErrors` on its result or on its error). */
function rejectionsOf(source: unknown): Rejection[] {
  const list =
    typeof source === 'object' && source !== null ? (source as { rejectedErrors?: unknown }).rejectedErrors : [];
  if (!Array.isArray(list)) return [];
  return list.map((entry: { recipient?: unknown; response?: unknown; responseCode?: unknown }) => ({
    address: typeof entry.recipient === 'string' ? entry.recipient : '',
    code: typeof entry.responseCode === 'number' ? entry.responseCode : null,
    response: typeof entry.response === 'string' ? entry.response : '',
  }));
}

/**
 * `smtp`: one e-mail through an SMTP server. Connects under the agent's destination policy
 * (`http_destinations`), upgrades with STARTTLS as configured, logs in, sends, and fails when
 * any recipient is refused; the outputs say who was accepted and who was not.
 */
export const smtpStep = withRunner(smtpSpec, {
  async run(ctx) {
    const { config } = ctx;
    const port = config.port ?? (config.tls ? 465 : 587);
    const target = `${config.host}:${port}`;
    const setupMs = config.connect_timeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const started = performance.now();
    const messageId = messageIdOf(ctx, config.from);
    const outputs: Record<string, unknown> = {
      accepted: [],
      rejected: [],
      message_id: messageId,
      response: '',
      tls: false,
      duration_ms: 0,
    };
    let stage: SmtpStage = 'connect';
    let socket: Socket | undefined;
    let session: SmtpSession | undefined;
    try {
      const { SMTPConnection, MailComposer } = await loadNodemailer();
      socket = await openGuardedSocket({
        host: config.host,
        port,
        destinations: ctx.services.policy.httpDestinations,
        traffic: 'SMTP connections',
        timeoutMs: setupMs,
        signal: ctx.signal,
      });
      session = await startSmtpSession({ SMTPConnection, socket, config, setupMs, signal: ctx.signal });
      const secure = session.secure();
      outputs.tls = secure;
      ctx.log.info(`smtp: connected to ${target} (${secure ? 'encrypted' : 'not encrypted'})`);

      if (config.auth !== undefined) {
        stage = 'auth';
        if (!secure) {
          // the schema refuses auth with starttls: off; this is the server not encrypting after all
          throw new StepError(
            'REMOTE_AUTH_FAILED',
            `${target}: the session is not encrypted; the password is not sent`,
          );
        }
        if (!session.offersAuth()) {
          throw new StepError(
            'REMOTE_AUTH_FAILED',
            `${target} does not offer AUTH; cannot log in as ${config.auth.user}`,
          );
        }
        await session.login(config.auth.user, config.auth.password);
        ctx.log.info(`smtp: logged in as ${config.auth.user}`);
      }

      stage = 'send';
      const message = composeMessage(MailComposer, config, ctx);
      const info = await session.send(message.envelope, message.stream);
      session.quit();
      const rejected = rejectionsOf(info);
      Object.assign(outputs, {
        accepted: info.accepted,
        rejected,
        response: info.response,
        duration_ms: Math.round(performance.now() - started),
      });
      ctx.log.info(`smtp: ${messageId} accepted for ${info.accepted.join(', ')} (${info.response})`);
      if (rejected.length > 0) {
        const refused = rejected.map((r) => `${r.address} (${r.response})`).join(', ');
        ctx.log.info(`smtp: refused ${refused}`);
        // the accepted recipients have the message: another attempt would send it to them again
        throw new StepError('STEP_FAILED', `${target} refused ${rejected.length} recipient(s): ${refused}`, {
          outputs,
        });
      }
      return { outputs };
    } catch (err) {
      // a session owns its socket; without one (aborted before it started) the socket is ours
      if (session === undefined) socket?.destroy();
      else session.close();
      if (err instanceof StepError && err.outputs === outputs) throw err;
      const rejected = rejectionsOf(err);
      if (rejected.length > 0) outputs.rejected = rejected;
      const response = (err as { response?: unknown } | undefined)?.response;
      if (typeof response === 'string') outputs.response = response;
      outputs.duration_ms = Math.round(performance.now() - started);
      throw toSmtpStepError(err, {
        target,
        stage,
        setupMs,
        password: config.auth?.password,
        signal: ctx.signal,
        outputs,
      });
    }
  },
});
