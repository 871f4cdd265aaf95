import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { nodeFlags, parseRegistry, REGISTRY_RELATIVE_PATH } from '@hypernode/ports';
import removeServiceGenerator from '../remove-service/generator';
import { SERVICE_NAMES_PATH } from '../service-names/generator';
import serviceGenerator from '../service/generator';
import deployArtifactsGenerator, { renderDeployArtifacts, ROOT_ARTIFACTS } from './generator';
import { deployModel } from './lib/model';

const root = resolve(__dirname, '../../../../..');
let tree: Tree;
const registryEntry = (name: string) => parseRegistry(readFileSync(resolve(root, REGISTRY_RELATIVE_PATH), 'utf8'), REGISTRY_RELATIVE_PATH).services.find((s) => s.name === name)!;

beforeEach(async () => {
  tree = createTreeWithEmptyWorkspace();
  for (const file of [REGISTRY_RELATIVE_PATH, SERVICE_NAMES_PATH]) tree.write(file, readFileSync(resolve(root, file), 'utf8'));
  await deployArtifactsGenerator(tree);
});

describe('deploy-artifacts sync generator', () => {
  it('matches the committed files exactly (what nx sync:check enforces)', () => {
    for (const file of ROOT_ARTIFACTS) expect(tree.read(file, 'utf8'), file).toBe(readFileSync(resolve(root, file), 'utf8'));
    expect(tree.read('apps/api/Dockerfile', 'utf8')).toBe(readFileSync(resolve(root, 'apps/api/Dockerfile'), 'utf8'));
  });

  it('is quiet when in sync, and names each drifted file with the fix', async () => {
    expect(await deployArtifactsGenerator(tree)).toBeUndefined();
    tree.write('PORTS.md', 'hand edit\n');
    tree.write('apps/api/.env.example', 'PORT=1\n');
    const result = await deployArtifactsGenerator(tree);
    expect(result).toMatchObject({ outOfSyncDetails: ['PORTS.md', 'apps/api/.env.example'] });
    expect(result && result.outOfSyncMessage).toMatch(/out of date: PORTS\.md, apps\/api\/\.env\.example; run `npx nx sync`/);
  });

  it('lists every instance port in an app\'s nginx upstream when the model is given instances (the scale rehearsal), and refuses a bad list naming it', () => {
    // Instance ports as HYPERNODE_INSTANCE lays them out (registry port + N × 100): no port literal here.
    const model = deployModel(tree);
    const portOf = (name: string) => model.apps.find((a) => a.name === name)!.port;
    const api = [0, 1, 2].map((n) => portOf('api') + n * 100);
    const realtime = [0, 1].map((n) => portOf('realtime') + n * 100);
    renderDeployArtifacts(tree, deployModel(tree, { instances: { api, realtime } }));
    const conf = tree.read('deploy/nginx/hypernode.conf', 'utf8')!;
    const servers = (ports: number[]) => ports.map((p) => `    server 127.0.0.1:${p};\n`).join('');
    expect(conf).toContain(`upstream api {\n${servers(api)}}`);
    expect(conf).toContain(`upstream realtime {\n${servers(realtime)}}`);
    expect(conf).toContain(`upstream automation {\n${servers([portOf('automation')])}}`);
    expect(() => deployModel(tree, { instances: { apy: api } })).toThrow(/instances names "apy", which is not a service in libs\/ports\/registry\.json: use one of .*api/);
    expect(() => deployModel(tree, { instances: { api: [] } })).toThrow('instances of "api" must be one or more ports 1-65535, got []');
    expect(() => deployModel(tree, { instances: { api: [0] } })).toThrow('got [0]');
  });

  it('gives a generated service its compose entry, proxy route, Dockerfile and env example; removing it takes them away', async () => {
    await serviceGenerator(tree, { name: 'billing', kind: 'http', skipInstall: true });
    const compose = parse(tree.read('docker-compose.yml', 'utf8')!) as { services: Record<string, { ports: string[]; depends_on: object }> };
    const port = Number(compose.services.billing!.ports[0]!.split(':')[0]);
    expect(compose.services.billing!.ports).toEqual([`${port}:${port}`]);
    expect(tree.read('deploy/nginx/hypernode.conf', 'utf8')).toContain(`location /billing/ {\n        proxy_pass http://billing/;`);
    expect(tree.read('deploy/Caddyfile', 'utf8')).toContain(`handle_path /billing/* {\n\t\treverse_proxy 127.0.0.1:${port}`);
    expect(tree.read('PORTS.md', 'utf8')).toContain(`| ${port} | billing | http |`);
    expect(tree.read('apps/billing/Dockerfile', 'utf8')).toContain('USER node');
    expect(tree.read('apps/billing/.env.example', 'utf8')).toContain(`PORT=${port}`);

    await removeServiceGenerator(tree, { name: 'billing', skipInstall: true });
    expect(tree.read('docker-compose.yml', 'utf8')).not.toContain('billing');
    expect(tree.read('deploy/nginx/hypernode.conf', 'utf8')).not.toContain('billing');
  });

  it('gives each Node app an image made from its build: the bundle, its pruned manifest, production packages, node main.js as node', () => {
    for (const app of ['api', 'realtime', 'automation', 'gpu-worker']) {
      const dockerfile = tree.read(`apps/${app}/Dockerfile`, 'utf8')!;
      const [build, runtime] = dockerfile.split(/^FROM .*$/m).slice(1);
      expect(build, app).toContain(`npx nx run ${app}:build`);
      expect(runtime, app).toContain(`COPY --from=build /app/dist/apps/${app}/package.json /app/dist/apps/${app}/package-lock.json ./`);
      expect(runtime, app).toContain('npm ci --omit=dev');
      expect(runtime, app).toContain(`COPY --from=build /app/dist/apps/${app} ./`);
      expect(runtime, app).toMatch(/^USER node$/m);
      // The heap cap comes from the app's registry memory limit (libs/ports nodeFlags).
      expect(runtime!.trimEnd().split('\n').at(-1), app).toBe(`CMD ["node", "${nodeFlags(registryEntry(app)).join('", "')}", "main.js"]`);
      // Nothing of the workspace's sources or toolchain reaches the image.
      expect(runtime, app).not.toMatch(/tsx|COPY (--chown=\S+ )?(libs|\.|package\.json)\b/);
    }
  });

  it('gives the frontends images made from their builds: the site its static files and server bundle, llm-deployer Next standalone; no dev server', async () => {
    // The flavour comes from the app's config file (the virtual tree has none until written).
    tree.write('apps/site/vite.config.ts', '');
    tree.write('apps/llm-deployer/next.config.mjs', '');
    await deployArtifactsGenerator(tree);
    for (const app of ['site', 'llm-deployer']) expect(tree.read(`apps/${app}/Dockerfile`, 'utf8'), app).toBe(readFileSync(resolve(root, `apps/${app}/Dockerfile`), 'utf8'));
    const stages = (app: string) => tree.read(`apps/${app}/Dockerfile`, 'utf8')!.split(/^FROM .*$/m).slice(1);
    const [siteBuild, site] = stages('site');
    expect(siteBuild).toContain('npx nx run site:build');
    expect(site).toContain('COPY --from=build /app/dist/apps/site/package.json /app/dist/apps/site/package-lock.json ./');
    expect(site).toContain('npm ci --omit=dev');
    expect(site).toContain('COPY --from=build /app/dist/apps/site ./');
    const [nextBuild, next] = stages('llm-deployer');
    expect(nextBuild).toContain('npx nx run llm-deployer:build');
    expect(next).toContain('COPY --from=build /app/dist/apps/llm-deployer ./');
    expect(next).not.toContain('npm ci');
    for (const [app, runtime] of [['site', site!], ['llm-deployer', next!]] as const) {
      expect(runtime).toMatch(/^USER node$/m);
      expect(runtime.trimEnd().split('\n').at(-1)).toBe(`CMD ["node", "${nodeFlags(registryEntry(app)).join('", "')}", "main.js"]`);
      expect(runtime).not.toMatch(/tsx|vite |next (dev|start|build)|serve\.ts|COPY (--chown=\S+ )?(libs|\.|package\.json)\b/);
    }
  });
});
