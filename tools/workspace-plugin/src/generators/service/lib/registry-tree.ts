import type { Tree } from '@nx/devkit';
import { parseRegistry, REGISTRY_RELATIVE_PATH, serializeRegistry, type ServiceEntry } from '@hypernode/ports';

/** Reads and validates the registry from the generator's tree (so dry runs and tests see staged edits). */
export function readRegistry(tree: Tree): ServiceEntry[] {
  const text = tree.read(REGISTRY_RELATIVE_PATH, 'utf8');
  if (text === null) throw new Error(`${REGISTRY_RELATIVE_PATH} not found: run the generator from the workspace root`);
  return [...parseRegistry(text, REGISTRY_RELATIVE_PATH).services];
}

/** Writes the registry back in the repo's one-service-per-line format. */
export function writeRegistry(tree: Tree, services: readonly ServiceEntry[]): void {
  tree.write(REGISTRY_RELATIVE_PATH, serializeRegistry(services));
}
