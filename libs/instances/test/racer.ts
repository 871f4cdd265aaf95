// One racing lease taker (leases.spec.ts): loads, says "ready", waits for "go" on stdin, takes
// a slot for its own pid, prints it, and holds it (stays alive) until its stdin closes.
import { acquireSlot } from '../src/index.js';

const [file, path] = process.argv.slice(2) as [string, string];
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  const started = performance.now();
  const { lease } = await acquireSlot({ file, path });
  process.stdout.write(`${JSON.stringify({ slot: lease.slot, pid: process.pid, ms: performance.now() - started })}\n`);
});
process.stdin.on('end', () => process.exit(0));
