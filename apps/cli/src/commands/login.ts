import { createInterface } from 'node:readline/promises';
import { FlotillaClient } from '@flotilla/client';
import type { CliCommand } from '../command-registry.js';
import { CliError } from '../cli-error.js';
import { loginConfigPath, saveClientConfig } from '../config/client-config.js';

async function readPassword(opts: { passwordStdin?: boolean }): Promise<string> {
  const fromEnv = process.env.FLOTILLA_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (opts.passwordStdin === true || !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    // Muting echo keeps the password off the screen.
    const output = rl as unknown as { _writeToOutput?: (s: string) => void };
    process.stderr.write('password: ');
    output._writeToOutput = () => undefined;
    const answer = await rl.question('');
    process.stderr.write('\n');
    return answer;
  } finally {
    rl.close();
  }
}

export const loginCommand: CliCommand = {
  register(program) {
    program
      .command('login')
      .description('log in to a control plane and save the token for later commands')
      .requiredOption('--server <url>', 'control plane URL')
      .option('--username <name>', 'user name', 'admin')
      .option('--password-stdin', 'read the password from standard input (also: FLOTILLA_PASSWORD)')
      .action(async (opts: { server: string; username: string; passwordStdin?: boolean }) => {
        const password = await readPassword(opts);
        if (password === '') throw new CliError('empty password', 2);
        const client = new FlotillaClient({ baseUrl: opts.server });
        const result = await client.login(opts.username, password);
        const path = loginConfigPath();
        await saveClientConfig(path, { server: client.baseUrl, token: result.token });
        console.error(`logged in to ${client.baseUrl} as ${result.user.username}; token saved to ${path}`);
      });
  },
};
