import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpReceiver, TraceStore } from '@hypernode/telemetry/receiver';
import { freePort } from '@hypernode/testing';
import { bundleForServe, SERVE_BUNDLES_DIR, sweepServeBundles } from '../src/executors/serve/bundle';
import { bundleArgs } from '../src/executors/serve/executor';

// The serve target runs a Node app from an esbuild bundle made at its start (bundle.ts): these
// bundle a real app of the workspace's shape (runService + Fastify, the service kit and the
// telemetry library bundled, node_modules external) and run it as the executor does.
const ROOT = resolve(__dirname, '../../..');
const FIXTURE = 'tools/workspace-plugin/src/executors/serve/__fixtures__/traced-app';
const scratch = mkdtempSync(join(tmpdir(), 'hn-serve-bundle-'));
const store = new TraceStore();
let receiver: FastifyInstance;
let endpoint: string;

beforeAll(async () => {
  receiver = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  await receiver.register(otlpReceiver, { store });
  endpoint = await receiver.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await receiver?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('serve bundle', () => {
  it('runs the app with tracing on: the bundled preload and the app share one SDK, and the request is traced', async () => {
    const bundle = await bundleForServe({ root: ROOT, name: 'traced-app', cwd: FIXTURE, entry: 'main.ts', tracing: true, assets: [{ input: 'libs/store/migrations', output: 'migrations' }] });
    try {
      expect(bundle.dir).toBe(join(ROOT, SERVE_BUNDLES_DIR, `traced-app-${process.pid}`));
      // The build target's assets are linked where the production build copies them.
      expect(readdirSync(join(bundle.dir, 'migrations')).filter((f) => f.endsWith('.sql')).length).toBeGreaterThan(0);
      expect(readFileSync(bundle.main, 'utf8')).toContain('sourceMappingURL=main.mjs.map');
      const port = await freePort();
      const child = spawn(process.execPath, bundleArgs(bundle), {
        cwd: join(ROOT, FIXTURE),
        env: { ...process.env, REALTIME_PORT: String(port), HYPERNODE_HOST: '127.0.0.1', HYPERNODE_STACK: '', HYPERNODE_SERVICE: 'traced-app', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'traced-app', OTEL_SDK_DISABLED: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (code, signal) => r([code, signal])));
      try {
        let answer: unknown;
        for (let i = 0; i < 300 && answer === undefined && child.exitCode === null; i++) {
          answer = await fetch(`http://127.0.0.1:${port}/hello`).then((r) => r.json(), () => undefined);
          if (answer === undefined) await new Promise((r) => setTimeout(r, 50));
        }
        expect(answer, output).toEqual({ hello: 'bundled' });
        child.kill('SIGTERM'); // the SDK flushes on a clean stop
        expect(await exited, output).toEqual([0, null]);
      } finally {
        child.kill('SIGKILL');
      }
      const spans = store.list({ limit: 50 }).flatMap((t) => store.spans(t.traceId) ?? []);
      expect(spans.filter((s) => s.service === 'traced-app' && /hello/.test(`${s.name} ${JSON.stringify(s.attributes)}`)).length, output).toBeGreaterThan(0);
      expect(output).not.toMatch(/FST_ERR|already been added/);
    } finally {
      bundle.remove();
    }
    expect(existsSync(bundle.dir)).toBe(false);
  }, 60_000);

  it('names the file, line and column of code that does not compile, and leaves no folder behind', async () => {
    const root = join(scratch, 'broken');
    mkdirSync(join(root, 'apps', 'broken', 'src'), { recursive: true });
    writeFileSync(join(root, 'apps', 'broken', 'src', 'main.ts'), 'export const x = (;\n');
    await expect(bundleForServe({ root, name: 'broken', cwd: 'apps/broken', entry: 'src/main.ts', tracing: false })).rejects.toThrow(/cannot bundle apps\/broken\/src\/main\.ts for serve:\n {2}apps\/broken\/src\/main\.ts:1:\d+: /);
    expect(existsSync(join(root, SERVE_BUNDLES_DIR, `broken-${process.pid}`))).toBe(false);
  });

  it("sweeps the folders of serve runs whose process is gone, and only those", () => {
    const root = join(scratch, 'sweep');
    const live = join(root, SERVE_BUNDLES_DIR, `api-${process.ppid}`);
    const dead = join(root, SERVE_BUNDLES_DIR, 'api-2147483646');
    for (const dir of [live, dead]) mkdirSync(dir, { recursive: true });
    sweepServeBundles(root);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(dead)).toBe(false);
  });
});
