import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { findListeners, isAlive, stopProcess, WORKSPACE_MARKER } from '@hypernode/port-inspect';
import { holdPort, hypernode, ROOT, type Holder } from './helpers.js';

const outside = mkdtempSync(join(tmpdir(), 'hypernode-lookalike-'));
// A folder whose path merely contains the workspace path, as /srv/other/<workspace>/public did.
const lookAlikeDir = join(outside, ROOT, 'public');
mkdirSync(lookAlikeDir, { recursive: true });

const holders: Holder[] = [];
afterEach(async () => {
  await Promise.all(holders.splice(0).map((h) => h.stop()));
});
afterAll(() => rmSync(outside, { recursive: true, force: true }));

/** `python3 -m http.server 0 --directory <tmp>/<workspace>/public`, run from outside the workspace. */
function pythonLookAlike(): Promise<Holder> {
  const env = { ...process.env, [WORKSPACE_MARKER]: '' };
  const child = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', lookAlikeDir], { cwd: outside, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`python3 http.server exited ${code}: ${out}`)));
    const onData = (d: Buffer) => {
      out += d.toString();
      const port = /port (\d+)/.exec(out)?.[1];
      if (!port) return;
      child.stdout!.off('data', onData);
      child.removeAllListeners('exit');
      const pid = child.pid!;
      resolve({ child, pid, port: Number(port), stop: async () => void (isAlive(pid) && (await stopProcess(pid, 2000))) });
    };
    child.stdout!.on('data', onData);
  });
}

describe('`ports free` decides "part of this workspace" by marker or executable + cwd, never by arguments', () => {
  it('refuses a python3 http.server whose --directory merely contains the workspace path, and stops it with --force', async () => {
    const holder = await pythonLookAlike();
    holders.push(holder);
    const refused = await hypernode(['ports', 'free', String(holder.port), '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`pid ${holder.pid} \\([^)]*python[^)]*http\\.server`));
    expect(refused.stderr).toContain('not part of this workspace');
    expect(refused.stderr).toContain('add --force');
    expect(isAlive(holder.pid)).toBe(true);

    const forced = await hypernode(['ports', 'free', String(holder.port), '--yes', '--force', '--grace', '2000']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`pid ${holder.pid}: stopped`);
    expect(isAlive(holder.pid)).toBe(false);
    expect(findListeners([holder.port]).has(holder.port)).toBe(false);
  });

  it('refuses a node listener whose argv names a workspace file but whose cwd is outside it', async () => {
    const holder = await holdPort('127.0.0.1', 0, outside, { extraArgs: [join(ROOT, 'apps/api/src/main.ts')] });
    holders.push(holder);
    const refused = await hypernode(['ports', 'free', String(holder.port), '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`pid ${holder.pid} .*not part of this workspace.*add --force`));
    expect(isAlive(holder.pid)).toBe(true);
  });

  it('refuses a process whose cwd is inside the workspace but which has neither the marker nor an executable inside it', async () => {
    const holder = await holdPort('127.0.0.1', 0, ROOT);
    holders.push(holder);
    const refused = await hypernode(['ports', 'free', String(holder.port), '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${WORKSPACE_MARKER}=`);
    expect(isAlive(holder.pid)).toBe(true);
  });

  it('frees a process that carries the stack marker, with no --force', async () => {
    const holder = await holdPort('127.0.0.1', 0, join(ROOT, 'apps'), { marker: true });
    holders.push(holder);
    const freed = await hypernode(['ports', 'free', String(holder.port), '--yes']);
    expect(freed.code, freed.stderr).toBe(0);
    expect(freed.stdout).toContain(`pid ${holder.pid}: stopped`);
    expect(isAlive(holder.pid)).toBe(false);
  });
});
