import type { DeploymentRecord, NodeRecord } from '@hypernode/events';

/** Longest part of a worker's answer that may reach a deployment's public `error`. */
const REASON_CHARS = 200;

/**
 * A short, printable reason from a worker's answer: the status code and at most 200
 * printable characters (its JSON `message` when it has one). A worker's body is never copied
 * whole into the deployment's public `error`.
 */
export function sanitisedReason(status: number, body: string): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed?.message === 'string') text = parsed.message;
  } catch {
    // Not JSON: the raw text, cleaned below.
  }
  const printable = text.replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim();
  const short = printable.length > REASON_CHARS ? `${printable.slice(0, REASON_CHARS - 1)}…` : printable;
  return short ? `${status}: ${short}` : String(status);
}

/** Reads at most `max` bytes of a response body (a worker could answer with anything). */
async function headOf(res: Response, max = 4096): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** How a dispatch went: accepted, or the reason it was not (safe to show). */
export type DispatchOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Sends a scheduled deployment to its node's worker (POST /jobs) with that node's own dispatch
 * secret, within `timeoutMs` for the whole exchange. The caller has checked the URL against the
 * host rule. 200 (a repeat) and 202 are accepted; anything else is a refusal with a
 * short sanitised reason.
 */
export async function dispatchToWorker(node: NodeRecord, d: DeploymentRecord, options: { secret: string; timeoutMs: number }): Promise<DispatchOutcome> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const res = await fetch(new URL('/jobs', node.workerUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.secret}` },
      body: JSON.stringify({ deploymentId: d.id, model: d.model, minVramGb: d.minVramGb }),
      signal,
      // A redirect would take the engine past the host rule to wherever the worker points it.
      redirect: 'manual',
    });
    if (res.status === 202 || res.status === 200) {
      // Read (bounded), not cancelled: a cancelled body closes the connection, and every dispatch
      // would open a new one (connect and lookup cost more than the whole exchange).
      await headOf(res).catch(() => undefined);
      return { ok: true };
    }
    return { ok: false, reason: `node ${node.name} refused it (${sanitisedReason(res.status, await headOf(res))})` };
  } catch (error) {
    const why = signal.aborted ? `no answer within ${options.timeoutMs} ms` : sanitisedReason(0, (error as Error).message).replace(/^0: /, '');
    return { ok: false, reason: `node ${node.name} unreachable (${why})` };
  }
}

/**
 * Whether the node's worker still runs the deployment (GET /jobs/:id with the node's dispatch
 * secret, within `timeoutMs`):
 * 'yes' on 2xx, 'no' on 404, 'unknown' when it cannot be asked (the node watchdog judges
 * nodes that stopped answering; one failed look is not proof the job is gone).
 */
export async function workerHasJob(node: NodeRecord, deploymentId: string, options: { secret: string; timeoutMs: number }): Promise<'yes' | 'no' | 'unknown'> {
  try {
    const res = await fetch(new URL(`/jobs/${deploymentId}`, node.workerUrl), { headers: { authorization: `Bearer ${options.secret}` }, signal: AbortSignal.timeout(options.timeoutMs), redirect: 'manual' });
    await headOf(res).catch(() => undefined); // read, so the connection is kept for the next call
    if (res.ok) return 'yes';
    return res.status === 404 ? 'no' : 'unknown';
  } catch {
    return 'unknown';
  }
}
