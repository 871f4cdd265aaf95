import { join } from 'node:path';
import { generateFiles, type Tree } from '@nx/devkit';
import type { SyncGeneratorResult } from 'nx/src/utils/sync-generators';
import { REGISTRY_RELATIVE_PATH } from '@hypernode/ports';
import { deployModel, type DeployModel } from './lib/model';

/** Files this generator owns at the workspace root. */
export const ROOT_ARTIFACTS = ['docker-compose.yml', 'deploy/nginx/hypernode.conf', 'deploy/Caddyfile', 'PORTS.md'] as const;
/** Files it owns in every app folder. */
export const APP_ARTIFACTS = ['Dockerfile', '.env.example'] as const;

/** Writes every deploy file for a model into the tree (the nginx test renders one on spare ports). */
export function renderDeployArtifacts(tree: Tree, model: DeployModel): void {
  generateFiles(tree, join(__dirname, 'files', 'root'), '.', { ...model, tmpl: '' });
  // One template folder per flavour: `app-node` (bundled Node services), `app-vite` (the static site), `app-next` (Next.js standalone).
  for (const app of model.apps) {
    generateFiles(tree, join(__dirname, 'files', `app-${app.flavor}`), `apps/${app.name}`, { app, tmpl: '' });
    generateFiles(tree, join(__dirname, 'files', 'app-env'), `apps/${app.name}`, { app, tmpl: '' });
  }
}

/**
 * Sync generator: every file that mentions ports is generated from the registry; `nx sync:check`
 * fails on drift, naming each file and the fix.
 */
export default async function deployArtifactsGenerator(tree: Tree): Promise<SyncGeneratorResult> {
  const model = deployModel(tree);
  const files = [...ROOT_ARTIFACTS, ...model.apps.flatMap((a) => APP_ARTIFACTS.map((f) => `apps/${a.name}/${f}`))];
  const before = new Map(files.map((f) => [f, tree.read(f, 'utf8')]));
  renderDeployArtifacts(tree, model);
  const drifted = files.filter((f) => tree.read(f, 'utf8') !== before.get(f));
  if (drifted.length === 0) return;
  return {
    outOfSyncMessage: `generated from ${REGISTRY_RELATIVE_PATH} but out of date: ${drifted.join(', ')}; run \`npx nx sync\``,
    outOfSyncDetails: drifted,
  };
}
