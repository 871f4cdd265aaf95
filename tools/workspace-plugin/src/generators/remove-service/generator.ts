import type { GeneratorCallback, Tree } from '@nx/devkit';
import { isAppKind, REGISTRY_RELATIVE_PATH } from '@hypernode/ports';
import deployArtifactsGenerator from '../deploy-artifacts/generator';
import serviceNamesGenerator from '../service-names/generator';
import { npmInstall } from '../service/lib/install';
import { readRegistry, writeRegistry } from '../service/lib/registry-tree';
import { ServiceNameError } from '../service/lib/validate-name';
import type { RemoveServiceGeneratorSchema } from './schema';

/** `nx g @hypernode/workspace-plugin:remove-service <name>`: deletes apps/<name> and releases its port. */
export default async function removeServiceGenerator(tree: Tree, options: RemoveServiceGeneratorSchema): Promise<GeneratorCallback | void> {
  const services = readRegistry(tree);
  const entry = services.find((s) => s.name === options.name);
  if (!entry) throw new ServiceNameError(`"${options.name}" is not in ${REGISTRY_RELATIVE_PATH}: it lists ${services.map((s) => s.name).join(', ')}`);
  if (!isAppKind(entry.kind)) throw new ServiceNameError(`"${options.name}" is ${entry.kind}, not an app of this workspace: edit ${REGISTRY_RELATIVE_PATH} by hand to remove it`);
  writeRegistry(tree, services.filter((s) => s.name !== options.name));
  if (tree.exists(`apps/${options.name}`)) tree.delete(`apps/${options.name}`);
  await serviceNamesGenerator(tree);
  await deployArtifactsGenerator(tree);
  console.log(`${options.name}: removed; port ${entry.port} is free to claim again`);
  if (!options.skipInstall) return () => npmInstall(tree.root);
}
