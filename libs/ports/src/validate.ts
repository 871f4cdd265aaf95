import type { z } from 'zod';
import { KIND_RANGES, PORT_CEILING, PORT_FLOOR } from './kinds.js';
import type { RegistryProblem } from './errors.js';
import { registryFileSchema, serviceEntrySchema, type ServiceEntry } from './schema.js';

function describeIssue(issue: z.core.$ZodIssue, prefix: string): RegistryProblem {
  const path = prefix + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  if (missing) return { path, message: `missing field "${String(issue.path.at(-1))}" (expected ${issue.expected})` };
  if (issue.code === 'unrecognized_keys') return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'}` };
  return { path, message: issue.message };
}

/**
 * Validates registry data and returns EVERY problem found (an empty list means valid),
 * together with the entries that passed the per-entry checks.
 */
export function validateRegistry(data: unknown): { services: ServiceEntry[]; problems: RegistryProblem[] } {
  const problems: RegistryProblem[] = [];
  const file = registryFileSchema.safeParse(data);
  if (!file.success) {
    return { services: [], problems: file.error.issues.map((i) => describeIssue(i, '')) };
  }
  const services: ServiceEntry[] = [];
  const byName = new Map<string, number>();
  const byPort = new Map<number, string>();
  file.data.services.forEach((raw, index) => {
    const at = `services[${index}]`;
    const parsed = serviceEntrySchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((i) => describeIssue(i, at)));
      return;
    }
    const entry = parsed.data;
    const { name, port, kind } = entry;
    const before = byName.get(name);
    if (before !== undefined) {
      problems.push({ path: `${at}.name`, message: `duplicate name "${name}" (also services[${before}]): rename one of them` });
    } else {
      byName.set(name, index);
    }
    if (port < PORT_FLOOR || port > PORT_CEILING) {
      problems.push({ path: `${at}.port`, message: `port ${port} of "${name}" is outside ${PORT_FLOOR}–${PORT_CEILING}: ports below ${PORT_FLOOR} need root and above ${PORT_CEILING} do not exist` });
    } else {
      const [low, high] = KIND_RANGES[kind];
      if (port < low || port > high) {
        problems.push({ path: `${at}.port`, message: `port ${port} of "${name}" is outside the ${kind} range ${low}–${high}: pick a free port in that range` });
      }
    }
    const holder = byPort.get(port);
    if (holder !== undefined) {
      problems.push({ path: `${at}.port`, message: `duplicate port ${port}: "${name}" and "${holder}" both claim it; give "${name}" a free port` });
    } else {
      byPort.set(port, name);
    }
    services.push(entry);
  });
  return { services, problems };
}
