import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isAlive, stopProcess, WORKSPACE_MARKER } from '@hypernode/port-inspect';

/** The workspace root (tests run from it). */
export const ROOT = resolve(import.meta.dirname, '../../..');
/** The hypernode bin, run exactly as `npx hypernode` runs it. */
export const CLI = join(ROOT, 'tools/cli/bin/hypernode.js');

/** A child process that holds a TCP port. */
export interface Holder {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Stops the child if still alive. */
  stop(): Promise<void>;
}

const HOLD_SCRIPT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
const s = net.createServer().listen({ host, port: Number(port), ipv6Only: host === '::' ? false : undefined }, () => console.log(String(s.address().port)));
process.on('SIGTERM', () => (process.env.IGNORE_SIGTERM ? undefined : s.close(() => process.exit(0))));
`;

/** How a test holder runs. */
export interface HoldOptions {
  /** Ignore SIGTERM, so only SIGKILL stops it. */
  ignoreSigterm?: boolean;
  /** Carry the stack marker (HYPERNODE_WORKSPACE=<ROOT>), as processes of `npm start` and the serve targets do. */
  marker?: boolean;
  /** Extra command-line arguments (ignored by the holder), e.g. a path that merely names the workspace. */
  extraArgs?: string[];
}

/** Starts a child that listens on host:port (0 = any free port) and resolves once it listens; it may ignore SIGTERM. */
export function holdPort(host: string, port = 0, cwd = ROOT, options: HoldOptions = {}): Promise<Holder> {
  // The marker is set or blanked explicitly: a test run started from a stack must not lend it to its holders.
  const env = { ...process.env, IGNORE_SIGTERM: options.ignoreSigterm ? '1' : '', [WORKSPACE_MARKER]: options.marker ? ROOT : '' };
  const child = spawn(process.execPath, ['-e', HOLD_SCRIPT, host, String(port), ...(options.extraArgs ?? [])], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolvePromise, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`holder on ${host}:${port} exited ${code}: ${err}`)));
    child.stdout!.once('data', (d: Buffer) => {
      child.removeAllListeners('exit');
      const pid = child.pid!;
      resolvePromise({ child, pid, port: Number(d.toString().trim()), stop: async () => void (isAlive(pid) && (await stopProcess(pid, 2000))) });
    });
  });
}

export { freePort } from '@hypernode/testing';

/** Output of one finished command. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, collecting its output. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.on('close', (code) => r({ code, stdout, stderr })));
}

/** Runs the hypernode CLI. */
export function hypernode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], { env });
}

/** A temporary registry file with the given services; returns its path and a cleanup. */
export function tempRegistry(services: object[]): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'hypernode-registry-'));
  const file = join(dir, 'registry.json');
  writeFileSync(file, JSON.stringify({ services }, null, 2));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
