/** Every state a deployment can be in. */
export const DEPLOYMENT_STATES = ['queued', 'scheduled', 'running', 'completed', 'failed', 'cancelled'] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

/** States a deployment never leaves. */
export const FINAL_STATES: readonly DeploymentState[] = ['completed', 'failed', 'cancelled'];

/**
 * Legal moves. `scheduled → queued` and `running → queued` send a deployment back to scheduling
 * (a node refused it, failed, or went offline).
 */
const TRANSITIONS: Record<DeploymentState, readonly DeploymentState[]> = {
  queued: ['scheduled', 'cancelled', 'failed'],
  scheduled: ['running', 'queued', 'cancelled', 'failed'],
  running: ['completed', 'failed', 'queued', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** A move the state machine does not allow; carries the current state for a 409. */
export class IllegalTransitionError extends Error {
  readonly code = 'E_ILLEGAL_TRANSITION';
  constructor(
    readonly from: DeploymentState,
    readonly to: DeploymentState,
  ) {
    super(`cannot move a deployment from ${from} to ${to}: from ${from} it can go to ${TRANSITIONS[from].join(', ') || 'nowhere (final state)'}`);
    this.name = 'IllegalTransitionError';
  }
}

/** True when `from → to` is a legal move. */
export function canTransition(from: DeploymentState, to: DeploymentState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws IllegalTransitionError unless `from → to` is legal. */
export function assertTransition(from: DeploymentState, to: DeploymentState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}
