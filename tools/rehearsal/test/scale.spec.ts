import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/rehearsal/src/scale/main.ts', ...args], { cwd: ROOT, env: { ...process.env, NX_TUI: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((r) => child.on('close', (code) => r({ code, output: stripVTControlCharacters(output) })));
}

// `npm run rehearse:scale -- --size small`, as CI runs it: several instances of each backend from
// their build outputs behind nginx, one of each kind kill -9'd mid-run. Its verdict is its exit code
// and summary lines; the lines' figures are checked so a run that quietly did less fails too.
describe('scale-out rehearsal (npm run rehearse:scale -- --size small)', () => {
  it('keeps every deployment exactly once and every client complete through kill -9 of one api, realtime, automation and gpu-worker', async () => {
    const { code, output } = await run(['--size', 'small']);
    expect(code, output.slice(-6000)).toBe(0);
    expect(output).toMatch(/rehearse:scale small: api×2 realtime×2 automation×2 gpu-worker×3 from build output behind nginx .*100 deployments, 20 WebSocket clients \(realtime-1 [1-9]\d*, realtime-2 [1-9]\d*\); kill -9 api-2, realtime-1, automation-1, gpu-worker-1 after \d+ POSTs/);
    const deployments = /deployments: (\d+) stored \((\d+) acknowledged, (\d+) not: (\d+) in flight at the kills\), statuses \{"completed":(\d+)\}, completed event exactly once (\d+), more than once 0, never 0/.exec(output);
    expect(deployments, output.slice(-3000)).not.toBeNull();
    const [stored, acked, notAcked, excused, completed, once] = deployments!.slice(1).map(Number);
    expect(acked! + notAcked!).toBe(100);
    expect(notAcked).toBe(excused);
    expect(stored).toBeGreaterThanOrEqual(acked!);
    expect(completed).toBe(stored);
    expect(once).toBe(stored);
    expect(output).toMatch(/clients: 20, [1-9]\d* events owed each, lost 0 \(0 clients\), duplicated 0, resets \d+, reconnected through the proxy [1-9]\d*/);
    expect(output).toMatch(/throughput: 1-of-each [\d.]+ deployments\/s, scaled set [\d.]+\/s .* scale factor [\d.]+; load average .* says little/);
    expect(output).toMatch(/SIGTERM: 5 surviving instances exited 0/);
    expect(output.trimEnd().split('\n').at(-1)).toMatch(/^rehearse:scale: PASS — small: /);
  }, 300_000);

  it('refuses a bad size, naming the value and the valid ones', async () => {
    const { code, output } = await run(['--size', 'huge', '--no-build']);
    expect(code).not.toBe(0);
    expect(output).toContain('"huge" is not valid: give small or full (e.g. --size small)');
  }, 60_000);
});
