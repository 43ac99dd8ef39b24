/** A one-step workflow running `argv` with the `command` step (what `flotilla exec -- CMD` submits). */
export function commandWorkflow(...argv: string[]): string {
  const [command, ...args] = argv;
  return JSON.stringify({
    name: 'bench',
    tasks: [{ name: 'cmd', type: 'command', timeout: '5m', config: { command, args } }],
  });
}
