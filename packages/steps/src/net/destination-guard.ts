import { BlockList, isIP } from 'node:net';
import { StepError } from '@flotilla/workflow';
import type { HttpDestinationPolicy } from '@flotilla/workflow';
import { normalizeHost, parseDestinationRule } from './destination-rule.js';
import type { DestinationRule } from './destination-rule.js';

/**
 * Link-local ranges and the cloud metadata endpoints (AWS, GCP, Azure, Oracle, DigitalOcean:
 * 169.254.169.254; AWS over IPv6: fd00:ec2::254; Alibaba: 100.100.100.200; the same reached
 * through a NAT64 gateway), refused with `deny_metadata`.
 */
const METADATA_NETWORKS: readonly string[] = [
  '169.254.0.0/16',
  'fe80::/10',
  'fd00:ec2::254',
  '100.100.100.200',
  '64:ff9b::a9fe:0/112',
];
/** Names of metadata services, refused before any DNS query. */
const METADATA_NAMES: readonly string[] = ['metadata.google.internal', 'metadata.goog', 'metadata'];

/** Checks outbound destinations against the policy; throws `POLICY_DENIED`. */
export interface DestinationGuard {
  /** Before a request: the URL's host name, or its address when the host is an IP literal. */
  checkUrl(url: URL): void;
  /** Before a connection: a host name, or an address when the host is an IP literal. */
  checkHost(host: string): void;
  /** When connecting: one address that `host` resolved to. */
  checkAddress(host: string, address: string): void;
}

interface CompiledRules {
  names: readonly Extract<DestinationRule, { kind: 'host' }>[];
  networks: BlockList;
}

function compileRules(entries: readonly string[]): CompiledRules {
  const names: Extract<DestinationRule, { kind: 'host' }>[] = [];
  const networks = new BlockList();
  for (const entry of entries) {
    // the policy file was parsed at load; an entry that does not parse here matches nothing
    const rule = parseDestinationRule(entry);
    if (rule?.kind === 'host') names.push(rule);
    else if (rule !== undefined) networks.addSubnet(rule.address, rule.prefix, rule.family);
  }
  return { names, networks };
}

const nameMatches = (rules: CompiledRules, host: string): boolean =>
  rules.names.some((rule) => (rule.wildcard ? host.endsWith(`.${rule.name}`) : host === rule.name));

const addressMatches = (rules: CompiledRules, address: string): boolean =>
  rules.networks.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

function denied(traffic: string, host: string, address: string | undefined, why: string): StepError {
  const where = address === undefined || address === host ? host : `${host} (${address})`;
  return new StepError(
    'POLICY_DENIED',
    `the agent policy does not allow ${traffic} to ${where}: ${why} (http_destinations)`,
  );
}

/**
 * The guard for a policy, or `undefined` when it restricts nothing. Deny rules win over allow
 * rules; with an allow list a destination passes when its host name or every address it
 * resolves to is listed. `traffic` names what is refused in the error (`SMTP connections`).
 */
export function destinationGuard(
  policy: HttpDestinationPolicy,
  traffic = 'HTTP requests',
): DestinationGuard | undefined {
  if (policy.allow === undefined && policy.deny.length === 0 && !policy.denyMetadata) return undefined;
  const deny = compileRules([
    ...policy.deny,
    ...(policy.denyMetadata ? [...METADATA_NETWORKS, ...METADATA_NAMES] : []),
  ]);
  const allow = policy.allow === undefined ? undefined : compileRules(policy.allow);

  const checkAddress = (rawHost: string, address: string): void => {
    const host = normalizeHost(rawHost);
    if (addressMatches(deny, address)) throw denied(traffic, host, address, 'the address is denied');
    if (allow === undefined) return;
    const byName = isIP(host) === 0 && nameMatches(allow, host);
    if (!byName && !addressMatches(allow, address)) {
      throw denied(traffic, host, address, 'not in the allowed destinations');
    }
  };

  const checkHost = (rawHost: string): void => {
    const host = normalizeHost(rawHost);
    // an IP literal is connected to without a lookup: this is its only check
    if (isIP(host) !== 0) {
      checkAddress(host, host);
      return;
    }
    if (nameMatches(deny, host)) throw denied(traffic, host, undefined, 'the host name is denied');
  };

  return { checkUrl: (url) => checkHost(url.hostname), checkHost, checkAddress };
}
