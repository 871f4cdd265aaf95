import type { core } from 'zod/mini';
import { KIND_RANGES, KINDS, PORT_CEILING, PORT_FLOOR, type Kind } from './kinds.js';
import type { RegistryProblem } from './errors.js';
import { scaleProblems } from './scale.js';
import { registryFileSchema, serviceEntrySchema, type ServiceEntry } from './schema.js';

/** True when the issue is about a top-level field that `raw` does not have at all. */
function isMissing(issue: core.$ZodIssue, raw: unknown): boolean {
  const key = issue.path[0];
  return issue.path.length === 1 && typeof key === 'string' && typeof raw === 'object' && raw !== null && !(key in raw);
}

function describeIssue(issue: core.$ZodIssue, prefix: string, raw: unknown): RegistryProblem {
  const path = prefix + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  if (isMissing(issue, raw)) return { path, message: `missing field "${String(issue.path[0])}"` };
  if (issue.code === 'invalid_type' && issue.message === 'Invalid input') {
    const value = issue.path.reduce<unknown>((v, key) => (v as Record<PropertyKey, unknown> | undefined)?.[key], raw);
    return { path, message: `expected ${issue.expected}, got ${JSON.stringify(value) ?? String(value)}` };
  }
  if (issue.code === 'unrecognized_keys') return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'}` };
  return { path, message: issue.message };
}

/** The one service name the registry refuses: its env-var prefix is the workspace's own. */
export const RESERVED_NAME = 'hypernode';

/**
 * Validates registry data and returns EVERY problem found (an empty list means valid),
 * together with the entries that passed the per-entry checks.
 */
export function validateRegistry(data: unknown): { services: ServiceEntry[]; problems: RegistryProblem[] } {
  const problems: RegistryProblem[] = [];
  const file = registryFileSchema.safeParse(data);
  if (!file.success) {
    return { services: [], problems: file.error.issues.map((i) => describeIssue(i, '', data)) };
  }
  const services: ServiceEntry[] = [];
  const byName = new Map<string, number>();
  const byPort = new Map<number, string>();
  const byRoute = new Map<string, string>();
  file.data.services.forEach((raw, index) => {
    const at = `services[${index}]`;
    const parsed = serviceEntrySchema.safeParse(raw);
    if (parsed.success) services.push(parsed.data);
    else problems.push(...parsed.error.issues.map((i) => describeIssue(i, at, raw)));
    // Cross-entry and range rules run on whatever fields are usable, so one bad field
    // never hides another problem of the same entry.
    const { name, port, kind, route } = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const label = typeof name === 'string' ? name : at;
    if (typeof raw === 'object' && raw !== null) problems.push(...scaleProblems(raw as Record<string, unknown>, at));
    if (typeof route === 'string') {
      const other = byRoute.get(route);
      if (other !== undefined) problems.push({ path: `${at}.route`, message: `duplicate route "${route}": "${label}" and "${other}" both claim it; give "${label}" its own route` });
      else byRoute.set(route, label);
    }
    // `<NAME>_HOST`/`_PORT`/`_URL` of a service named "hypernode" would be the workspace's own variables (HYPERNODE_HOST is the bind address).
    if (name === RESERVED_NAME) problems.push({ path: `${at}.name`, message: `name "${RESERVED_NAME}" is reserved (HYPERNODE_HOST, HYPERNODE_PORT… are the workspace's own variables): pick another name` });
    if (typeof name === 'string') {
      const before = byName.get(name);
      if (before !== undefined) problems.push({ path: `${at}.name`, message: `duplicate name "${name}" (also services[${before}]): rename one of them` });
      else byName.set(name, index);
    }
    if (typeof port !== 'number' || !Number.isInteger(port)) return;
    if (port < PORT_FLOOR || port > PORT_CEILING) {
      problems.push({ path: `${at}.port`, message: `port ${port} of "${label}" is outside ${PORT_FLOOR}–${PORT_CEILING}: ports below ${PORT_FLOOR} need root and above ${PORT_CEILING} do not exist` });
    } else if ((KINDS as readonly unknown[]).includes(kind)) {
      const [low, high] = KIND_RANGES[kind as Kind];
      if (port < low || port > high) problems.push({ path: `${at}.port`, message: `port ${port} of "${label}" is outside the ${String(kind)} range ${low}–${high}: pick a free port in that range` });
    }
    const holder = byPort.get(port);
    if (holder !== undefined) problems.push({ path: `${at}.port`, message: `duplicate port ${port}: "${label}" and "${holder}" both claim it; give "${label}" a free port` });
    else byPort.set(port, label);
  });
  return { services, problems };
}
