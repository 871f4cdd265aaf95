import type { DeploymentRecord, NodeRecord } from '@hypernode/events';
import { httpCall, HttpCallError } from '@hypernode/service-kit';

/** Longest part of a worker's answer that may reach a deployment's public `error`. */
const REASON_CHARS = 200;
/** Most of a worker's answer the engine reads (a worker could answer with anything). */
const WORKER_ANSWER_BYTES = 4096;

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

/** How a dispatch went: accepted, or the reason it was not (safe to show). */
export type DispatchOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Sends a scheduled deployment to its node's worker (POST /jobs) with that node's own dispatch
 * secret, within `timeoutMs` for the whole exchange. The caller has checked the URL against the
 * host rule. 200 (a repeat) and 202 are accepted; anything else is a refusal with a
 * short sanitised reason.
 */
export async function dispatchToWorker(node: NodeRecord, d: DeploymentRecord, options: { secret: string; timeoutMs: number }): Promise<DispatchOutcome> {
  try {
    // No redirect is followed: one would take the engine past the host rule to wherever the worker points it.
    const answer = await httpCall(new URL('/jobs', node.workerUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${options.secret}` },
      json: { deploymentId: d.id, model: d.model, minVramGb: d.minVramGb },
      timeoutMs: options.timeoutMs,
      maxBytes: WORKER_ANSWER_BYTES,
    });
    if (answer.status === 202 || answer.status === 200) return { ok: true };
    return { ok: false, reason: `node ${node.name} refused it (${sanitisedReason(answer.status, answer.body)})` };
  } catch (error) {
    const why = error instanceof HttpCallError && error.timedOut ? `no answer within ${options.timeoutMs} ms` : sanitisedReason(0, (error as Error).message).replace(/^0: /, '');
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
    const answer = await httpCall(new URL(`/jobs/${deploymentId}`, node.workerUrl), { headers: { authorization: `Bearer ${options.secret}` }, timeoutMs: options.timeoutMs, maxBytes: WORKER_ANSWER_BYTES });
    if (answer.status >= 200 && answer.status <= 299) return 'yes';
    return answer.status === 404 ? 'no' : 'unknown';
  } catch {
    return 'unknown';
  }
}
