import { join } from 'node:path';
import { z } from 'zod';
import { FlotillaError } from '@flotilla/protocol';
import { readFileIfExists, writeFileAtomic } from '@flotilla/node-kit';

/** What the agent remembers after enrolment: who it is and which control-plane key it trusts. */
export const AgentStateSchema = z.object({
  agentId: z.string().min(1),
  name: z.string().min(1),
  serverUrl: z.string(),
  /** base64 raw Ed25519 key of the control plane, pinned at enrolment. */
  serverPublicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  serverKeyId: z.string().min(1),
});
export type AgentState = z.infer<typeof AgentStateSchema>;

export const AGENT_STATE_FILE = 'agent.json';

/** Reads `<dataDir>/agent.json`; `undefined` before the first enrolment. */
export async function readAgentState(dataDir: string): Promise<AgentState | undefined> {
  const path = join(dataDir, AGENT_STATE_FILE);
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FlotillaError('CONFIG_INVALID', { detail: `${path} is not valid JSON`, cause: err });
  }
  const parsed = AgentStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new FlotillaError('CONFIG_INVALID', {
      detail: `${path} is not a valid agent state file`,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Writes the state atomically (temp + fsync + rename). */
export async function writeAgentState(dataDir: string, state: AgentState): Promise<void> {
  await writeFileAtomic(join(dataDir, AGENT_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}
