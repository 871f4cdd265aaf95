/**
 * Last-resort cleanup: synchronous hooks run when this process exits or is interrupted, so a
 * scenario that throws (or a Ctrl-C) never leaves a service, redis-server or PostgreSQL behind.
 */
const hooks = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const hook of [...hooks]) {
    try {
      hook();
    } catch {
      // best effort: the others must still run
    }
  }
  hooks.clear();
}

/** Registers `hook` to run synchronously at exit; returns a function that unregisters it. */
export function onExit(hook: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runAll);
    // Under Vitest the runner owns the signals; its workers still run the exit hooks.
    if (!process.env.VITEST) for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        runAll();
        process.exit(130);
      });
    }
  }
  hooks.add(hook);
  return () => hooks.delete(hook);
}
