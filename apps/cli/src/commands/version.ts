import { FLOTILLA_VERSION, PROTOCOL_VERSION } from '@flotilla/protocol';
import type { CliCommand } from '../command-registry.js';

export const versionCommand: CliCommand = {
  register(program) {
    program
      .command('version')
      .description('print the Flotilla version')
      .option('--json', 'machine-readable output')
      .action((opts: { json?: boolean }) => {
        if (opts.json === true) {
          console.log(JSON.stringify({ version: FLOTILLA_VERSION, protocolVersion: PROTOCOL_VERSION }));
        } else {
          console.log(`flotilla ${FLOTILLA_VERSION} (agent protocol ${PROTOCOL_VERSION})`);
        }
      });
  },
};
