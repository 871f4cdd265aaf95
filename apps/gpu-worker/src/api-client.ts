import type { DeploymentRecord, NodeRecord } from '@hypernode/events';
import { httpCall } from '@hypernode/service-kit';

/** Longest one call to the api may take (the api answers an outage with a 503 well within it). */
const API_CALL_TIMEOUT_MS = 3000;

/** What the api answers a registration with: the node, its own credential and the engine's dispatch secret for it. */
export interface Registration {
  node: NodeRecord;
  /** `hnn_…`: this node's credential for heartbeats, progress and deregistration. */
  credential: string;
  /** `hnd_…`: what the engine must present to dispatch to this worker. */
  dispatchSecret: string;
}

/** The api answered a call with an error status (`status`); the message names the call. */
export class ApiCallError extends Error {
  readonly code = 'E_API_CALL';
  constructor(
    readonly status: number,
    method: string,
    path: string,
    detail: string,
  ) {
    super(`api ${method} ${path} answered ${status}: ${detail.slice(0, 300)}`);
    this.name = 'ApiCallError';
  }
}

/** The api calls a worker makes; each names the bearer credential it sends. */
export class ApiClient {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: 'POST', path: string, bearer: string, body?: object): Promise<T> {
    const answer = await httpCall(new URL(path, this.baseUrl), { method, headers: { authorization: `Bearer ${bearer}` }, json: body, timeoutMs: API_CALL_TIMEOUT_MS });
    if (answer.status < 200 || answer.status > 299) throw new ApiCallError(answer.status, method, path, answer.body);
    if (answer.status === 204 || answer.body === '') return undefined as T;
    if (answer.truncated) throw new ApiCallError(answer.status, method, path, 'the answer is larger than 1 MiB: is API_URL the api?');
    return JSON.parse(answer.body) as T;
  }

  /** Exchanges the join token for this node's credential and dispatch secret. */
  async register(joinToken: string, node: { name: string; gpuModel: string; vramGb: number; workerUrl: string }): Promise<Registration> {
    const answer = await this.call<Partial<Registration>>('POST', '/nodes', joinToken, node);
    if (!answer?.node?.id || typeof answer.credential !== 'string' || typeof answer.dispatchSecret !== 'string') {
      throw new ApiCallError(201, 'POST', '/nodes', 'the answer lacks node, credential or dispatchSecret: is the api older than the worker?');
    }
    return answer as Registration;
  }

  heartbeat(credential: string, id: string, beat: { load: number; freeVramGb: number }): Promise<NodeRecord> {
    return this.call('POST', `/nodes/${id}/heartbeat`, credential, beat);
  }

  deregister(credential: string, id: string): Promise<void> {
    return this.call('POST', `/nodes/${id}/deregister`, credential);
  }

  report(credential: string, deploymentId: string, report: { status: 'running' | 'completed' | 'failed' | 'queued'; progress?: number; error?: string }): Promise<DeploymentRecord> {
    return this.call('POST', `/deployments/${deploymentId}/progress`, credential, report);
  }
}
