import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, DEPLOYMENT_STATES, FINAL_STATES, IllegalTransitionError } from './deployment-state.js';

describe('deployment state machine', () => {
  it('follows queued → scheduled → running → completed | failed', () => {
    expect(canTransition('queued', 'scheduled')).toBe(true);
    expect(canTransition('scheduled', 'running')).toBe(true);
    expect(canTransition('running', 'completed')).toBe(true);
    expect(canTransition('running', 'failed')).toBe(true);
  });

  it('sends a deployment back to scheduling from scheduled or running', () => {
    expect(canTransition('scheduled', 'queued')).toBe(true);
    expect(canTransition('running', 'queued')).toBe(true);
  });

  it('never leaves a final state, and names the current state when refusing', () => {
    for (const from of FINAL_STATES) for (const to of DEPLOYMENT_STATES) expect(canTransition(from, to), `${from}→${to}`).toBe(false);
    expect(() => assertTransition('completed', 'cancelled')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('completed', 'cancelled')).toThrow('cannot move a deployment from completed to cancelled: from completed it can go to nowhere (final state)');
    expect(() => assertTransition('queued', 'completed')).toThrow(/from queued it can go to scheduled, cancelled, failed/);
  });
});
