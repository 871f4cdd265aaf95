import type { Tree } from '@nx/devkit';
import type { SyncGeneratorResult } from 'nx/src/utils/sync-generators';
import { REGISTRY_RELATIVE_PATH } from '@hypernode/ports';
import { readRegistry } from '../service/lib/registry-tree';

/** Where the literal union of service names lives. */
export const SERVICE_NAMES_PATH = 'libs/ports/src/service-names.ts';

/** The whole text of service-names.ts for these names. */
export function serviceNamesSource(names: readonly string[]): string {
  return `// Generated from ${REGISTRY_RELATIVE_PATH} by the service-names sync generator (\`npx nx sync\`).
// It gives literal service names a compile-time check. Do not edit by hand.

/** Every service name in the registry. */
export const SERVICE_NAMES = [${names.map((n) => `'${n}'`).join(', ')}] as const;

/** A service name the registry lists. */
export type ServiceName = (typeof SERVICE_NAMES)[number];
`;
}

/** Sync generator: rewrites service-names.ts when the registry's names changed. */
export default async function serviceNamesGenerator(tree: Tree): Promise<SyncGeneratorResult> {
  const wanted = serviceNamesSource(readRegistry(tree).map((s) => s.name));
  if (tree.read(SERVICE_NAMES_PATH, 'utf8') === wanted) return;
  tree.write(SERVICE_NAMES_PATH, wanted);
  return { outOfSyncMessage: `${SERVICE_NAMES_PATH} does not list the services of ${REGISTRY_RELATIVE_PATH}; run \`npx nx sync\`` };
}
