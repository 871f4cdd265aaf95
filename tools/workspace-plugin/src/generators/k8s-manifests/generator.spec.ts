import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REGISTRY_RELATIVE_PATH } from '@hypernode/ports';
import removeServiceGenerator from '../remove-service/generator';
import { SERVICE_NAMES_PATH } from '../service-names/generator';
import serviceGenerator from '../service/generator';
import k8sManifestsGenerator from './generator';

const root = resolve(__dirname, '../../../../..');
let tree: Tree;

/** The committed files under deploy/k8s. */
function committed(dir = resolve(root, 'deploy/k8s')): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? committed(join(dir, name)) : [relative(root, join(dir, name))]));
}

const kinds = (path: string) => parseAllDocuments(tree.read(path, 'utf8')!).map((d) => `${d.get('kind')}/${d.getIn(['metadata', 'name'])}`);

beforeEach(async () => {
  tree = createTreeWithEmptyWorkspace();
  for (const file of [REGISTRY_RELATIVE_PATH, SERVICE_NAMES_PATH]) tree.write(file, readFileSync(resolve(root, file), 'utf8'));
  // The Next.js app is known by its config file (its pod gets a writable cache folder).
  tree.write('apps/llm-deployer/next.config.mjs', '');
  tree.write('apps/site/vite.config.ts', '');
  await k8sManifestsGenerator(tree);
});

describe('k8s-manifests sync generator', () => {
  it('matches the committed deploy/k8s exactly (what nx sync:check enforces)', () => {
    const files = committed();
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect(tree.read(file, 'utf8'), file).toBe(readFileSync(resolve(root, file), 'utf8'));
  });

  it('is quiet when in sync; names each drifted file with the fix, and deletes a file it no longer makes', async () => {
    expect(await k8sManifestsGenerator(tree)).toBeUndefined();
    tree.write('deploy/k8s/base/api.yaml', 'hand edit\n');
    tree.write('deploy/k8s/base/stale.yaml', 'kind: ConfigMap\n');
    const result = await k8sManifestsGenerator(tree);
    expect(result).toMatchObject({ outOfSyncDetails: ['deploy/k8s/base/api.yaml', 'deploy/k8s/base/stale.yaml'] });
    expect(result && result.outOfSyncMessage).toMatch(/out of date: deploy\/k8s\/base\/api\.yaml, deploy\/k8s\/base\/stale\.yaml; run `npx nx sync`/);
    expect(tree.exists('deploy/k8s/base/stale.yaml')).toBe(false);
    expect(tree.read('deploy/k8s/base/api.yaml', 'utf8')).toBe(readFileSync(resolve(root, 'deploy/k8s/base/api.yaml'), 'utf8'));
  });

  it('gives a generated service its workload, Service, ConfigMaps, route and NetworkPolicy; removing it takes them away', async () => {
    await serviceGenerator(tree, { name: 'billing', kind: 'http', skipInstall: true });
    await k8sManifestsGenerator(tree);
    expect(kinds('deploy/k8s/base/billing.yaml')).toEqual(['Deployment/billing', 'Service/billing']);
    expect(tree.read('deploy/k8s/base/kustomization.yaml', 'utf8')).toContain('- billing.yaml');
    expect(kinds('deploy/k8s/overlays/production/config.yaml')).toContain('ConfigMap/billing-env');
    expect(tree.read('deploy/k8s/overlays/production/ingress.yaml', 'utf8')).toContain('path: /billing(/|$)(.*)');
    expect(kinds('deploy/k8s/base/network-policies.yaml')).toContain('NetworkPolicy/billing');
    // An app the registry says nothing about scale for runs one replica: no autoscaler.
    expect(kinds('deploy/k8s/overlays/production/autoscaling.yaml')).not.toContain('HorizontalPodAutoscaler/billing');

    await removeServiceGenerator(tree, { name: 'billing', skipInstall: true });
    const result = await k8sManifestsGenerator(tree);
    expect(result?.outOfSyncDetails).toContain('deploy/k8s/base/billing.yaml');
    expect(tree.exists('deploy/k8s/base/billing.yaml')).toBe(false);
    for (const file of committed()) expect(tree.read(file, 'utf8'), file).toBe(readFileSync(resolve(root, file), 'utf8'));
  });
});
