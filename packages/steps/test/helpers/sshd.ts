import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { present } from './require-service.js';
import { tcpAnswers } from './service-probe.js';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

/** A real OpenSSH server on a free loopback port, with keys made for the test. */
export interface Sshd {
  host: string;
  port: number;
  /** The user the server runs as: tests log in as this user. */
  user: string;
  /** Scratch directory (keys, config); remove is done by `stop()`. */
  dir: string;
  /** Authorized client key without passphrase: path and OpenSSH private key text. */
  clientKeyPath: string;
  clientKey: string;
  /** Authorized client key protected by `passphrase`. */
  encryptedKeyPath: string;
  passphrase: string;
  /** A valid key the server does not know. */
  strangerKeyPath: string;
  /** Host key fingerprint as `ssh-keygen -l` prints it (`SHA256:…`). */
  hostKeyFingerprint: string;
  /** Host public key blob, base64 (the second field of the `.pub` line). */
  hostKeyBase64: string;
  stop(): Promise<void>;
}

/**
 * Starts `/usr/sbin/sshd -D -e` with a temporary config (SPEC §14): ed25519 host and client
 * keys made with `ssh-keygen`, public-key auth only, internal-sftp. Returns undefined after a
 * loud skip when OpenSSH server (Debian `openssh-server`) is missing — or throws under
 * FLOTILLA_REQUIRE_SERVICES=1.
 */
export async function startSshd(): Promise<Sshd | undefined> {
  if (!present(`OpenSSH server (${SSHD}, Debian package openssh-server)`, existsSync(SSHD))) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-sshd-'));
  try {
    await keygen(join(dir, 'host_ed25519'), '');
    await keygen(join(dir, 'client'), '');
    await keygen(join(dir, 'client_enc'), 'correct horse');
    await keygen(join(dir, 'stranger'), '');
    const authorized = [
      await readFile(join(dir, 'client.pub'), 'utf8'),
      await readFile(join(dir, 'client_enc.pub'), 'utf8'),
    ];
    await writeFile(join(dir, 'authorized_keys'), authorized.join(''), { mode: 0o600 });
    const port = await freePort();
    await writeFile(join(dir, 'sshd_config'), sshdConfig(dir, port));
    // Privilege separation directory: sshd refuses to start without it.
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    await waitForPort(port, child, () => log);
    const fingerprint =
      (await run('ssh-keygen', ['-l', '-f', join(dir, 'host_ed25519.pub')])).stdout.split(' ')[1] ?? '';
    const hostPub = await readFile(join(dir, 'host_ed25519.pub'), 'utf8');
    return {
      host: '127.0.0.1',
      port,
      user: userInfo().username,
      dir,
      clientKeyPath: join(dir, 'client'),
      clientKey: await readFile(join(dir, 'client'), 'utf8'),
      encryptedKeyPath: join(dir, 'client_enc'),
      passphrase: 'correct horse',
      strangerKeyPath: join(dir, 'stranger'),
      hostKeyFingerprint: fingerprint,
      hostKeyBase64: hostPub.split(' ')[1] ?? '',
      stop: async () => {
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function sshdConfig(dir: string, port: number): string {
  return [
    'ListenAddress 127.0.0.1',
    `Port ${String(port)}`,
    `HostKey ${join(dir, 'host_ed25519')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin yes',
    'Subsystem sftp internal-sftp',
    'LogLevel ERROR',
    '',
  ].join('\n');
}

async function keygen(path: string, passphrase: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'flotilla-test', '-f', path]);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${String(child.exitCode)}: ${log()}`);
    if (await tcpAnswers('127.0.0.1', port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`sshd did not listen on ${String(port)} within 10 s: ${log()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
