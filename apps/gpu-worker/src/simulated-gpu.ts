// The GPU is simulated: no GPU exists on the machines this runs on. Everything around it —
// accepting, reporting, handing back — is the real service behaviour.

/** Phases a model goes through on the GPU, with the progress range each covers. */
export const PHASES = [
  { name: 'download', from: 0, to: 40 },
  { name: 'load', from: 40, to: 80 },
  { name: 'serve', from: 80, to: 100 },
] as const;

/** Runs a simulated job: calls `onProgress` about ten times, fails at `failAt` if set. */
export async function simulateJob(options: { durationMs: number; failAt?: number; signal: AbortSignal; onProgress: (percent: number, phase: string) => Promise<void> }): Promise<void> {
  const steps = 10;
  for (let step = 1; step <= steps; step++) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.durationMs / steps);
      options.signal.addEventListener('abort', () => (clearTimeout(timer), reject(options.signal.reason)), { once: true });
    });
    const percent = (step / steps) * 100;
    if (options.failAt !== undefined && percent >= options.failAt) throw new Error(`simulated GPU failure at ${percent}% (GPU_WORKER_FAIL_AT=${options.failAt})`);
    const phase = PHASES.find((p) => percent <= p.to)!.name;
    if (step < steps) await options.onProgress(percent, phase);
  }
}
