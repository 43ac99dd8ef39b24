// Child process holding N idle agent connections with the bare protocol (no agent runtime), to
// measure what one idle connection costs the control plane. Env BENCH_RAW_CLIENTS (JSON).
// IPC: after enrolment sends {ready: true, phase: 'enrolled'}; on "connect" opens every
// channel and sends {connected: n}; exits on "stop" or when the parent goes.
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { generateEd25519Key, rawPublicKey, signEd25519 } from '@flotilla/node-kit';
import { agentAuthMessage, decodeServerFrame, enrollProofMessage, PROTOCOL_VERSION } from '@flotilla/protocol';

interface RawConfig {
  serverUrl: string;
  token: string;
  count: number;
  prefix: string;
}

const config = JSON.parse(process.env.BENCH_RAW_CLIENTS ?? '{}') as RawConfig;
const sockets: WebSocket[] = [];

async function enrol(name: string): Promise<{ agentId: string; privateKey: KeyObject }> {
  const privateKey = generateEd25519Key();
  const fields = {
    token: config.token,
    publicKey: rawPublicKey(privateKey),
    name,
    labels: { role: 'idle' },
    facts: { hostname: name, os: 'linux', arch: 'x64', agentVersion: '0.1.0' },
  };
  const timestamp = new Date().toISOString();
  const tokenDigest = createHash('sha256').update(config.token, 'utf8').digest('hex');
  const signature = signEd25519(privateKey, enrollProofMessage({ ...fields, tokenDigest, timestamp }));
  const res = await fetch(`${config.serverUrl}/api/v1/agents/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...fields, proof: { version: 1, timestamp, signature } }),
  });
  if (res.status !== 200) throw new Error(`enrol ${name}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { agentId: string };
  return { agentId: body.agentId, privateKey };
}

/** Opens a channel, signs the challenge, answers pings; resolves on `welcome`. */
function connect(agent: { agentId: string; privateKey: KeyObject }): Promise<void> {
  const ws = new WebSocket(`${config.serverUrl.replace(/^http/, 'ws')}/agent/v1/connect`, { perMessageDeflate: false });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const decoded = decodeServerFrame(data, isBinary);
      if (!decoded.ok) {
        reject(new Error(`invalid frame from the control plane: ${decoded.message}`));
        return;
      }
      const frame = decoded.frame;
      if (frame.type === 'challenge') {
        const message = agentAuthMessage(frame.nonce, agent.agentId, frame.serverKeyId);
        ws.send(
          JSON.stringify({
            type: 'hello',
            agentId: agent.agentId,
            protocolVersion: PROTOCOL_VERSION,
            agentVersion: '0.1.0-bench',
            nonce: randomBytes(24).toString('base64url'),
            signature: signEd25519(agent.privateKey, message),
          }),
        );
      } else if (frame.type === 'welcome') resolve();
      else if (frame.type === 'refused') reject(new Error(`refused: ${data.toString('utf8')}`));
      else if (frame.type === 'ping') ws.send(JSON.stringify({ type: 'pong', ts: frame.ts }));
    });
    ws.once('error', reject);
  });
}

const identities: { agentId: string; privateKey: KeyObject }[] = [];
for (let i = 0; i < config.count; i += 50) {
  const batch = Array.from({ length: Math.min(50, config.count - i) }, (_, j) =>
    enrol(`${config.prefix}-${String(i + j).padStart(5, '0')}`),
  );
  identities.push(...(await Promise.all(batch)));
}

process.on('message', (message) => {
  if (message === 'connect') {
    void (async () => {
      for (let i = 0; i < identities.length; i += 100) await Promise.all(identities.slice(i, i + 100).map(connect));
      process.send?.({ connected: identities.length });
    })();
  }
  if (message === 'stop') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true, phase: 'enrolled', pid: process.pid });
