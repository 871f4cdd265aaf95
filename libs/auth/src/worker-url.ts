import { BlockList, isIP } from 'node:net';

/** Which worker URLs may be registered and dispatched to. */
export interface WorkerHostRule {
  /** The running profile: `development` allows loopback only. */
  profile: string;
  /** Other profiles: host names and IPs or CIDRs (`HYPERNODE_WORKER_HOSTS`, comma-separated). */
  allowed: readonly string[];
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The URL's host as an address or lower-case name (IPv6 without brackets), or undefined for a URL that is not http(s). */
function hostOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (parsed.username || parsed.password) return undefined;
  const host = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host || undefined;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** An allowed entry as a BlockList (IP or CIDR), or undefined when it is a host name. */
function asNetwork(entry: string): BlockList | undefined {
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address || isIP(address) === 0) return undefined;
  const list = new BlockList();
  if (bits === undefined) list.addAddress(address, family(address));
  else {
    const prefix = Number(bits);
    const maxBits = family(address) === 'ipv6' ? 128 : 32;
    if (!/^\d+$/.test(bits) || prefix > maxBits) return undefined;
    list.addSubnet(address, prefix, family(address));
  }
  return list;
}

/**
 * Whether a worker URL obeys the host rule. Development: loopback only (127.0.0.0/8, ::1,
 * localhost). Otherwise: a host name in `allowed`, or an IP inside one of its IPs/CIDRs.
 * Anything else — other hosts, non-http(s) schemes, credentials in the URL — is refused.
 * Decides on the URL as written (WHATWG-normalised, so `http://2130706433/` is 127.0.0.1);
 * names are not resolved, so list the names workers register with.
 */
export function workerUrlAllowed(url: string, rule: WorkerHostRule): boolean {
  const host = hostOf(url);
  if (!host) return false;
  const ip = isIP(host) !== 0;
  // Development: loopback always, plus whatever HYPERNODE_WORKER_HOSTS names (compose's `gpu-worker`).
  if (rule.profile === 'development' && (host === 'localhost' || (ip && LOOPBACK.check(host, family(host))))) return true;
  for (const raw of rule.allowed) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const network = asNetwork(entry);
    if (network ? ip && network.check(host, family(host)) : !ip && entry === host) return true;
  }
  return false;
}

/** One line saying the rule, for errors that refuse a URL (names the variable that changes it). */
export function describeWorkerHostRule(rule: WorkerHostRule): string {
  return rule.profile === 'development'
    ? `the development profile allows loopback workers (127.0.0.0/8, ::1, localhost) and the hosts and CIDRs in HYPERNODE_WORKER_HOSTS (${rule.allowed.length > 0 ? rule.allowed.join(', ') : 'empty'})`
    : `the ${rule.profile} profile allows only the hosts in HYPERNODE_WORKER_HOSTS (${rule.allowed.length > 0 ? rule.allowed.join(', ') : 'empty'}): add the worker's host name or CIDR there`;
}
