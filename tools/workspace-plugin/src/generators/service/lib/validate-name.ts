import type { Tree } from '@nx/devkit';
import { REGISTRY_RELATIVE_PATH, SERVICE_NAME_PATTERN, type ServiceEntry } from '@hypernode/ports';

/** A service name that cannot be used; the message says why and what to do. */
export class ServiceNameError extends Error {
  readonly code = 'E_SERVICE_NAME';
}

/** Refuses a name that is not a valid project name, is in the registry, or has a folder already. */
export function assertNewServiceName(tree: Tree, services: readonly ServiceEntry[], name: string): void {
  if (!SERVICE_NAME_PATTERN.test(name) || name.length > 40) {
    throw new ServiceNameError(`"${name}" is not a valid service name: use lower-case letters, digits and single dashes, starting with a letter (e.g. "billing" or "gpu-worker-2")`);
  }
  const taken = services.find((s) => s.name === name);
  if (taken) throw new ServiceNameError(`"${name}" is already a service in ${REGISTRY_RELATIVE_PATH} (port ${taken.port}): pick another name, or remove it first with \`nx g @hypernode/workspace-plugin:remove-service ${name}\``);
  if (tree.exists(`apps/${name}`)) throw new ServiceNameError(`apps/${name} already exists: pick another name or delete that folder`);
}
