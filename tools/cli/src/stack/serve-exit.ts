/**
 * The app's own exit from the serve executor's line when an app exits on its own
 * (`realtime:serve exited with code 3 (see its output above)…`, tools/workspace-plugin/src/executors/serve/failures.ts):
 * Nx itself then exits 1, so the supervisor reports this one instead.
 */
export function serveExitOf(text: string): { code: number | null; signal: string | null } | undefined {
  const match = /^\S+:serve exited with (?:signal (\w+)|code (-?\d+)) \(see its output above\)/.exec(text);
  return match ? { signal: match[1] ?? null, code: match[2] === undefined ? null : Number(match[2]) } : undefined;
}
