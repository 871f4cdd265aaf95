import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { REGISTRY_RELATIVE_PATH, type ResolvedService } from '@hypernode/ports';
import type * as DeployArtifacts from '@hypernode/workspace-plugin/deploy-artifacts';
import type * as DeployModel from '@hypernode/workspace-plugin/deploy-model';

// The generator is CommonJS (Nx loads plugins that way; its templates are found from __dirname),
// so it is required, not imported: an ESM import through tsx would give it no usable __dirname.
const require = createRequire(import.meta.url);
const { renderDeployArtifacts } = require('@hypernode/workspace-plugin/deploy-artifacts') as typeof DeployArtifacts;
const { deployModel } = require('@hypernode/workspace-plugin/deploy-model') as typeof DeployModel;

export type ProxyKind = 'nginx' | 'caddy';
export const PROXIES: readonly ProxyKind[] = ['nginx', 'caddy'];

/** A reverse proxy in front of the rehearsal's apps. */
export interface RunningProxy {
  kind: ProxyKind;
  port: number;
  stop(): Promise<void>;
}

/** Beyond the generated config: several instances per app, and http-context lines the rehearsal adds. */
export interface ProxyExtras {
  /** Each app's instance ports (its upstream lists every one); default the one port in `services`. */
  instances?: Readonly<Record<string, readonly number[]>>;
  /** nginx only: lines appended to the http context after the generated config (e.g. an in-cluster listener). */
  nginxHttp?: string;
}

/** The deploy files (nginx conf, Caddyfile) rendered by the same generator `nx sync` runs, for these services and listen port. */
function render(root: string, services: ResolvedService[], listenPort: number, instances?: ProxyExtras['instances']): { nginx: string; caddy: string } {
  const tree = createTreeWithEmptyWorkspace();
  tree.write(REGISTRY_RELATIVE_PATH, readFileSync(join(root, REGISTRY_RELATIVE_PATH), 'utf8'));
  renderDeployArtifacts(tree, deployModel(tree, { listenPort, services, instances }));
  return { nginx: tree.read('deploy/nginx/hypernode.conf', 'utf8')!, caddy: tree.read('deploy/Caddyfile', 'utf8')! };
}

function spawnProxy(command: string, args: string[], env?: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.once('error', (e) => (output += `\n${e.message}`));
  return { child, output: () => output };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  if ((await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)])) === false) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Starts real nginx or Caddy on `port` with the generated config; resolves once `probeUrl` answers through it. */
export async function startProxy(kind: ProxyKind, root: string, dir: string, services: ResolvedService[], port: number, httpsPort: number, probeUrl: string, extras: ProxyExtras = {}): Promise<RunningProxy> {
  if (extras.nginxHttp && kind !== 'nginx') throw new Error(`nginxHttp was given for ${kind}: it applies to nginx only`);
  const files = render(root, services, port, extras.instances);
  const here = join(dir, kind);
  mkdirSync(join(here, 'logs'), { recursive: true });
  let proc: ReturnType<typeof spawnProxy>;
  if (kind === 'nginx') {
    writeFileSync(join(here, 'hypernode.conf'), files.nginx);
    writeFileSync(
      join(here, 'nginx.conf'),
      `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;\npid ${here}/nginx.pid;\nerror_log ${here}/logs/error.log;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path ${here}/body;\n  proxy_temp_path ${here}/proxy;\n  include ${here}/hypernode.conf;\n${extras.nginxHttp ?? ''}}\n`,
    );
    proc = spawnProxy('nginx', ['-p', here, '-c', join(here, 'nginx.conf')]);
  } else {
    // The generated Caddyfile as is, after global options that keep this run local: no admin
    // endpoint (so nothing on :2019), no certificates (no ACME from here), its state in the run's
    // folder; the real domain's HTTPS site binds a spare port instead of 443.
    const globals = `{\n\tadmin off\n\tauto_https off\n\thttp_port ${port}\n\thttps_port ${httpsPort}\n\tstorage file_system ${here}/data\n}\n\n`;
    writeFileSync(join(here, 'Caddyfile'), globals + files.caddy);
    const env = { ...process.env, HOME: here, XDG_DATA_HOME: join(here, 'data'), XDG_CONFIG_HOME: join(here, 'config') };
    proc = spawnProxy('caddy', ['run', '--config', join(here, 'Caddyfile'), '--adapter', 'caddyfile'], env);
  }
  for (const until = Date.now() + 20_000; Date.now() < until; await sleep(200)) {
    if (proc.child.exitCode !== null) throw new Error(`${kind} exited with code ${proc.child.exitCode}:\n${proc.output()}`);
    const res = await fetch(probeUrl, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
    if (res?.status === 200) return { kind, port, stop: () => stopChild(proc.child) };
  }
  await stopChild(proc.child);
  throw new Error(`${kind} did not answer ${probeUrl} within 20 s:\n${proc.output()}`);
}
