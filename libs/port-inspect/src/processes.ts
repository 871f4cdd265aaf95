import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids whose start-up environment holds `key=value` (Linux /proc only; [] elsewhere).
 * Used to find every process of one stack run, including ones that left its process group.
 */
export function pidsWithEnv(key: string, value: string): number[] {
  if (process.platform !== 'linux') return [];
  const needle = `${key}=${value}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(needle)) pids.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}
