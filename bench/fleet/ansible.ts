import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { benchTempDir } from './processes.js';
import { since } from './stats.js';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

/** Ansible driving `hosts` loopback addresses (127.0.0.2 …) served by local sshd daemons on one port. */
export interface AnsibleFleet {
  /** One `ansible all -m command -a true -f N` run; resolves with its wall time in ms. */
  adhocTrue(): Promise<number>;
  close(): Promise<void>;
}

/** Why Ansible cannot run here, or undefined when it can. */
export async function ansibleMissing(): Promise<string | undefined> {
  if (!existsSync(SSHD)) return `${SSHD} not found (apt-get install -y openssh-server)`;
  try {
    await run('ansible', ['--version']);
  } catch {
    return 'ansible not found (apt-get install -y ansible-core)';
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function waitForPort(port: number, host: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      void import('node:net').then(({ connect }) => {
        const socket = connect(port, host, () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', () => {
          socket.destroy();
          if (Date.now() > deadline) reject(new Error(`bench: sshd not listening on ${host}:${port}`));
          else setTimeout(attempt, 50);
        });
      });
    };
    attempt();
  });
}

function sshdConfig(dir: string, port: number, addresses: readonly string[], index: number): string {
  return [
    `Port ${port}`,
    ...addresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, `sshd.${index}.pid`)}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin yes',
    // 50 hosts connect at once: the default MaxStartups (10:30:100) would drop most of them.
    'MaxStartups 500',
    'MaxSessions 100',
    'LogLevel ERROR',
    '',
  ].join('\n');
}

/** Starts sshd on `hosts` loopback addresses (key auth only) and writes the inventory. */
export async function startAnsibleFleet(hosts: number): Promise<AnsibleFleet> {
  const dir = benchTempDir('ansible');
  const port = await freePort();
  const addresses = Array.from({ length: hosts }, (_, i) => `127.0.0.${i + 2}`);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  await run('cp', [join(dir, 'client_key.pub'), join(dir, 'authorized_keys')]);
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // privilege-separation dir sshd insists on
  // sshd listens on at most 16 sockets (MAX_LISTEN_SOCKS): one sshd per 16 loopback addresses.
  const groups = Array.from({ length: Math.ceil(hosts / 16) }, (_, g) => addresses.slice(g * 16, g * 16 + 16));
  const daemons: ChildProcess[] = [];
  for (const [g, group] of groups.entries()) {
    const config = join(dir, `sshd_config.${g}`);
    await writeFile(config, sshdConfig(dir, port, group, g));
    daemons.push(spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'inherit'] }));
  }
  try {
    await Promise.all(groups.map((group) => waitForPort(port, group.at(-1) ?? '127.0.0.2')));
  } catch (err) {
    for (const daemon of daemons) daemon.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const inventory = [
    '[bench]',
    ...addresses.map((a, i) => `h${i + 2} ansible_host=${a}`),
    '[all:vars]',
    `ansible_port=${port}`,
    `ansible_user=${userInfo().username}`,
    `ansible_ssh_private_key_file=${join(dir, 'client_key')}`,
    'ansible_python_interpreter=/usr/bin/python3',
    '',
  ].join('\n');
  await writeFile(join(dir, 'inventory.ini'), inventory);
  const controlDir = join(dir, 'cp');
  await mkdir(controlDir);
  const env = {
    ...process.env,
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_SSH_ARGS: '-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null',
  };
  return {
    async adhocTrue() {
      const start = performance.now();
      const { stdout } = await run(
        'ansible',
        ['all', '-i', join(dir, 'inventory.ini'), '-m', 'command', '-a', 'true', '-f', String(hosts)],
        {
          env,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      const elapsed = since(start);
      const ok = stdout.split('\n').filter((l) => / \| (CHANGED|SUCCESS) /.test(l)).length;
      if (ok !== hosts) throw new Error(`bench: ansible reached ${ok}/${hosts} hosts:\n${stdout.slice(0, 2000)}`);
      return elapsed;
    },
    async close() {
      // Close the persistent ssh masters ansible left behind, then sshd.
      const sockets = await readdir(controlDir).catch(() => []);
      await Promise.all(
        sockets.map((s) =>
          run('ssh', ['-o', `ControlPath=${join(controlDir, s)}`, '-O', 'exit', 'bench']).catch(() => undefined),
        ),
      );
      for (const daemon of daemons) daemon.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
