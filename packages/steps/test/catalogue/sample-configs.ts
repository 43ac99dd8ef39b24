import type { BuiltinStepTypeName } from '@flotilla/steps/catalogue';

/**
 * One valid config of every built-in step type, written the way documents write them (YAML
 * values before parsing): the catalogue tests parse each one, in Node and in the browser bundle.
 */
export const sampleConfigs: Readonly<Record<BuiltinStepTypeName, Record<string, unknown>>> = {
  command: { command: 'echo', args: ['hello'] },
  script: { interpreter: 'sh', source: 'echo hi' },
  powershell: { script: 'Write-Output hi' },
  sleep: { duration: '1s' },
  alert: { severity: 'info', title: 'deployed' },
  service: { name: 'nginx', action: 'status' },
  patch: {
    path: '/etc/app.conf',
    content: 'x = 1\n',
    validate: { syntax: 'yaml' },
    watch: { url: 'https://example.com/health', duration: '2s' },
  },
  http: { url: 'https://example.com/api', method: 'post', body: { a: 1 }, expected_status: [200, 201] },
  js: { source: 'input.a + 1', input: { a: 1 } },
  db: { driver: 'postgres', dsn: 'postgres://u@localhost/db', query: 'SELECT 1' },
  ssh: {
    host: 'example.com',
    user: 'deploy',
    key_env: 'SSH_KEY',
    // a pin is checked by decoding its base64: Buffer on Node, atob in the browser
    host_key: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
    command: 'uptime',
    upload: { local: '/tmp/a', remote: '/srv/a', mode: '0644' },
  },
  sftp: { host: 'example.com', user: 'deploy', password_env: 'PW', action: 'list', remote: '/srv' },
  downloadexec: { url: 'https://example.com/tool', sha256: 'a'.repeat(64), args: ['--version'] },
  smtp: {
    host: 'mail.example.com',
    from: 'Flotilla <flotilla@example.com>',
    to: ['ops@example.com', '"Doe, Jane" <jane@example.com>'],
    subject: 'deployed',
    body: 'done',
    auth: { user: 'flotilla', password: 'secret' },
  },
  'file.copy': { src: '/tmp/a', dest: '/tmp/b', mode: '0600' },
  'file.move': { src: '/tmp/a', dest: '/tmp/b' },
  'file.rename': { src: '/tmp/a', dest: 'b' },
  'file.delete': { path: '/tmp/a', recursive: true },
  'file.write': { path: '/tmp/a', content: 'aGk=', encoding: 'base64' },
  'file.read': { path: '/tmp/a' },
};
