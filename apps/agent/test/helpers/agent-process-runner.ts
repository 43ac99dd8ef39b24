import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AgentOptions } from '@flotilla/agent';

const ENTRY = fileURLToPath(new URL('./agent-process.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Agent processes started by a test, SIGKILLed by `cleanup()`. */
export function agentProcesses() {
  const children: ChildProcess[] = [];
  return {
    /** Starts `flotilla agent` code in a child process (TypeScript sources through tsx). */
    start(options: AgentOptions): ChildProcess {
      const child = spawn(
        process.execPath,
        ['--conditions=@flotilla/source', '--import', 'tsx', ENTRY, JSON.stringify(options)],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => {
        // a SIGKILL is the test's doing; a non-zero exit is the agent failing, worth seeing
        if (code !== null && code !== 0) console.warn(`agent process exited ${code}: ${stderr}`);
      });
      children.push(child);
      return child;
    },
    /** kill -9, and wait until the process is gone. */
    async kill(child: ChildProcess): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
    async cleanup(): Promise<void> {
      await Promise.all(children.splice(0).map((child) => this.kill(child)));
    },
  };
}
