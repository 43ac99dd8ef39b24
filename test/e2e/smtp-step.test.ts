import { afterEach, describe, expect, it } from 'vitest';
import { makeSelfSignedCert } from '../../packages/steps/test/helpers/self-signed-cert.js';
import { startSmtpPeer } from '../../packages/steps/test/helpers/smtp-peer.js';
import type { SmtpPeer } from '../../packages/steps/test/helpers/smtp-peer.js';
import { testAgents } from './helpers/agents.js';
import { controlPlanes } from './helpers/control-plane.js';
import { agentStatus, finishedJob, submitJob } from './helpers/jobs.js';

const planes = controlPlanes();
const agents = testAgents();
const peers: SmtpPeer[] = [];
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
});

const PASSWORD = 'smtp-e2e-4c1d-password';

describe('the smtp step on a real agent through the real server', () => {
  it('sends with the password from the project secrets over STARTTLS; the password shows nowhere', async (t) => {
    const cert = await makeSelfSignedCert();
    if (cert === undefined) return t.skip();
    const peer = await startSmtpPeer({ users: { flotilla: PASSWORD }, server: { key: cert.key, cert: cert.cert } });
    peers.push(peer);
    const cp = await planes.start();
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name: 'mailer',
    });
    await agentStatus(cp.api, agent.agentId, 'online');
    expect((await cp.api.post('/secrets', { name: 'SMTP_PASSWORD', value: PASSWORD })).status).toBeLessThan(300);

    const workflow = `
name: mail-from-agent
secrets: [SMTP_PASSWORD]
tasks:
  - name: mail
    type: smtp
    config:
      host: ${peer.host}
      port: ${peer.port}
      ca: ${JSON.stringify(cert.cert)}
      auth: { user: flotilla, password: "{{.SMTP_PASSWORD}}" }
      from: "Flotilla <flotilla@example.com>"
      to: ops@example.com
      subject: "from agent {{.SMTP_PASSWORD}}"
      body: hello from the agent
`;
    const job = await finishedJob(cp.api, await submitJob(cp.api, workflow, 'mailer'), 20_000);
    expect(job.runs[0]?.state).toBe('succeeded');
    expect(peer.received).toHaveLength(1);
    const [mail] = peer.received;
    expect([mail?.user, mail?.secure, mail?.rcptTo]).toEqual(['flotilla', true, ['ops@example.com']]);
    // the message itself carries what the workflow put in it; the agent's logs and the API do not
    expect(mail?.mail.subject).toBe(`from agent ${PASSWORD}`);

    const logs = (await cp.api.get(`/jobs/${job.id}/logs`)).body as { items: { step: string; line: string }[] };
    const lines = logs.items.filter((l) => l.step === 'mail').map((l) => l.line);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^smtp: connected to 127\.0\.0\.1:\d+ \(encrypted\)$/),
        'smtp: logged in as flotilla',
        expect.stringMatching(/^smtp: <flotilla\.[^>]+\.mail\.1@example\.com> accepted for ops@example\.com/),
      ]),
    );
    for (const path of [`/jobs/${job.id}/logs`, `/jobs/${job.id}`]) {
      expect(JSON.stringify((await cp.api.get(path)).body), path).not.toContain(PASSWORD);
    }
  });
});
