import type { AgentOptions } from '@flotilla/agent';
import type { CliCommand } from '../command-registry.js';
import { collectKeyValue } from '../config/parse-key-value.js';
import { waitForShutdownSignal } from '../shutdown.js';

interface AgentFlags {
  server?: string;
  token?: string;
  data?: string;
  name?: string;
  label?: Record<string, string>;
  logLevel?: string;
  policy?: string;
}

export const agentCommand: CliCommand = {
  register(program) {
    program
      .command('agent')
      .description('run an agent: enrol on first start, then connect and run jobs')
      .option('--server <url>', 'control plane URL (env FLOTILLA_SERVER)')
      .option('--token <token>', 'enrolment token, first start only (env FLOTILLA_ENROLL_TOKEN keeps it out of ps)')
      .option('--data <dir>', 'data directory for key and journal (env FLOTILLA_AGENT_DATA; default ./.flotilla/agent)')
      .option('--name <name>', 'agent name, unique per project (env FLOTILLA_AGENT_NAME; default the hostname)')
      .option('--label <key=value>', 'label sent at enrolment (repeatable)', collectKeyValue)
      .option('--policy <file>', 'local policy file (env FLOTILLA_AGENT_POLICY; default <data>/policy.yaml)')
      .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', 'info')
      .action(async (opts: AgentFlags) => {
        const { compileAgentOptions, startAgent } = await import('@flotilla/agent');
        const options = compileAgentOptions({
          serverUrl: opts.server,
          token: opts.token,
          dataDir: opts.data,
          name: opts.name,
          labels: opts.label,
          logLevel: opts.logLevel as AgentOptions['logLevel'],
          policyFile: opts.policy,
        });
        const controller = new AbortController();
        const stopOnSignal = waitForShutdownSignal().then(() => {
          controller.abort();
        });
        const agent = await startAgent(options, { signal: controller.signal });
        await Promise.race([
          stopOnSignal.then(async () => {
            await agent.stop();
          }),
          agent.done,
        ]);
        // `done` rejects with the fatal reason (revoked, auth failed, version refused): non-zero exit.
        await agent.done;
      });
  },
};
