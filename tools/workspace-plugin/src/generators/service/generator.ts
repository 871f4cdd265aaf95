import { join } from 'node:path';
import { generateFiles, type GeneratorCallback, type Tree } from '@nx/devkit';
import { allocatePort, REGISTRY_RELATIVE_PATH, type ServiceEntry } from '@hypernode/ports';
import deployArtifactsGenerator from '../deploy-artifacts/generator';
import serviceNamesGenerator from '../service-names/generator';
import { npmInstall } from './lib/install';
import { readRegistry, writeRegistry } from './lib/registry-tree';
import { assertNewServiceName } from './lib/validate-name';
import type { ServiceGeneratorSchema } from './schema';

const PURPOSE: Record<ServiceGeneratorSchema['kind'], string> = {
  http: 'HTTP service (Fastify)',
  worker: 'Worker service',
  frontend: 'Frontend (Vite + React)',
};

/** `nx g @hypernode/workspace-plugin:service <name> --kind=…`: app from templates + registry entry + sync. */
export default async function serviceGenerator(tree: Tree, options: ServiceGeneratorSchema): Promise<GeneratorCallback | void> {
  const kind = options.kind ?? 'http';
  const services = readRegistry(tree);
  assertNewServiceName(tree, services, options.name);
  const port = allocatePort(services, kind, options.port, REGISTRY_RELATIVE_PATH);
  const entry: ServiceEntry = {
    name: options.name,
    port,
    kind,
    purpose: options.purpose ?? PURPOSE[kind],
    health: { type: 'http', path: kind === 'frontend' ? '/' : '/health' },
    required: true,
    // HTTP services get a proxy path; frontends and workers get their own host name.
    ...(kind === 'http' ? { route: `/${options.name}/` } : {}),
  };
  writeRegistry(tree, [...services, entry]);
  generateFiles(tree, join(__dirname, 'files', kind === 'frontend' ? 'frontend' : 'node'), `apps/${options.name}`, { name: options.name, kind, scope: kind === 'frontend' ? 'frontend' : 'backend', tmpl: '' });
  await serviceNamesGenerator(tree);
  await deployArtifactsGenerator(tree);
  console.log(`${options.name}: ${kind} service on port ${port} (${REGISTRY_RELATIVE_PATH}); serve it with \`npx nx run ${options.name}:serve\` or \`npm start\``);
  if (!options.skipInstall) return () => npmInstall(tree.root);
}
