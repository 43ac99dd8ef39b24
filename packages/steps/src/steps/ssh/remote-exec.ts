import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Client } from 'ssh2';
import { StepError } from '@flotilla/workflow';
import type { StepLogger } from '@flotilla/workflow';
import { LineSplitter } from '../../process/split-lines.js';
import { TailBuffer } from '../../process/tail-buffer.js';

/** How a remote command ended and the tail of what it printed. */
export interface RemoteExecResult {
  /** Null when the remote process was killed by a signal or the channel closed without status. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface RemoteExecOptions {
  log: StepLogger;
  /** On abort the remote process gets SIGTERM (the caller then closes the connection). */
  signal: AbortSignal;
  /** Allocate a pseudo-terminal (a dumb one: no colours); closing the connection then hangs up the command. */
  pty?: boolean;
  /** Bytes kept per stream for the outputs (the tail). @default 1048576 */
  maxCaptureBytes?: number;
}

/**
 * Runs `command` on an exec channel (no pty: stdout and stderr stay apart), streams both to the
 * log line by line and resolves when the channel closes. Never rejects for a non-zero exit.
 */
export function execRemote(client: Client, command: string, options: RemoteExecOptions): Promise<RemoteExecResult> {
  const maxCapture = options.maxCaptureBytes ?? 1024 * 1024;
  return new Promise<RemoteExecResult>((resolve, reject) => {
    client.exec(command, { pty: options.pty === true ? { term: 'dumb' } : false }, (err, channel) => {
      if (err !== undefined) {
        reject(
          new StepError('STEP_FAILED', `cannot start the remote command: ${err.message}`, {
            cause: err,
            retryable: true,
          }),
        );
        return;
      }
      const stdout = capture(channel, maxCapture, (line) => {
        options.log.stdout(line);
      });
      const stderr = capture(channel.stderr, maxCapture, (line) => {
        options.log.stderr(line);
      });
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      const onAbort = (): void => {
        // Sent before the connection closes (the caller ends it a microtask later). OpenSSH
        // honours it for non-root sessions only (root sessions run in the privileged monitor)
        // and other servers may ignore it; with a pty, the hang-up on close stops the command.
        channel.signal('TERM');
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      channel.on('exit', (code: number | null, signalName?: string) => {
        exitCode = typeof code === 'number' ? code : null;
        exitSignal = typeof signalName === 'string' ? signalName : null;
      });
      channel.once('close', () => {
        options.signal.removeEventListener('abort', onAbort);
        resolve({ exitCode, signal: exitSignal, stdout: stdout.finish(), stderr: stderr.finish() });
      });
    });
  });
}

interface Capture {
  finish(): string;
}

function capture(stream: Readable, maxCapture: number, onLine: (line: string) => void): Capture {
  const tail = new TailBuffer(maxCapture);
  const decoder = new StringDecoder('utf8');
  const splitter = new LineSplitter(onLine);
  stream.on('data', (chunk: Buffer) => {
    tail.write(chunk);
    splitter.push(decoder.write(chunk));
  });
  return {
    finish: () => {
      splitter.push(decoder.end());
      splitter.end();
      return tail.toString();
    },
  };
}
