import type { Tree } from '@nx/devkit';
import type { SyncGeneratorResult } from 'nx/src/utils/sync-generators';
import { REGISTRY_RELATIVE_PATH } from '@hypernode/ports';
import { clusterModel } from './lib/cluster-model';
import { K8S_ROOT, k8sFiles } from './lib/files';

/** Every file under `dir` in the tree, recursively. */
function filesUnder(tree: Tree, dir: string): string[] {
  if (!tree.exists(dir)) return [];
  return tree.children(dir).flatMap((child) => {
    const path = `${dir}/${child}`;
    return tree.isFile(path) ? [path] : filesUnder(tree, path);
  });
}

/**
 * Sync generator: the kustomize tree under deploy/k8s (base, overlays staging and production, the
 * optional in-cluster data overlay) from the registry; files it no longer makes are deleted.
 * `nx sync:check` names every drifted file.
 */
export default async function k8sManifestsGenerator(tree: Tree): Promise<SyncGeneratorResult> {
  const files = k8sFiles(clusterModel(tree));
  const drifted: string[] = [];
  for (const path of filesUnder(tree, K8S_ROOT)) {
    if (!files.has(path)) {
      tree.delete(path);
      drifted.push(path);
    }
  }
  for (const [path, content] of files) {
    if (tree.read(path, 'utf8') === content) continue;
    tree.write(path, content);
    drifted.push(path);
  }
  if (drifted.length === 0) return;
  drifted.sort();
  return {
    outOfSyncMessage: `generated from ${REGISTRY_RELATIVE_PATH} but out of date: ${drifted.join(', ')}; run \`npx nx sync\``,
    outOfSyncDetails: drifted,
  };
}
