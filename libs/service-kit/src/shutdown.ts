/** One step of a service's shutdown, e.g. "stop the HTTP server" or "end the PostgreSQL pool". */
export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown> | unknown;
  /** Longest this step may take; past it the next step starts anyway. Default 2 s. */
  timeoutMs?: number;
}

/**
 * Runs the steps in order, each bounded, never throwing: a dependency that is blackholed must
 * not keep the process alive (a pool's `end()` waits for a server that never answers). Returns
 * the names of the steps that failed or ran out of time, for the log.
 */
export async function closeInOrder(steps: readonly ShutdownStep[], log: (line: string) => void = () => undefined): Promise<string[]> {
  const unfinished: string[] = [];
  for (const step of steps) {
    const timeoutMs = step.timeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        Promise.resolve().then(step.run).then(() => 'done' as const),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        }),
      ]);
      if (outcome === 'timeout') {
        unfinished.push(step.name);
        log(`shutdown: ${step.name} did not finish within ${timeoutMs} ms; going on`);
      }
    } catch (error) {
      unfinished.push(step.name);
      log(`shutdown: ${step.name} failed (${(error as Error).message}); going on`);
    } finally {
      clearTimeout(timer);
    }
  }
  return unfinished;
}
