import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SupervisedService } from '@hypernode/events';
import { NotSignedInError } from '@hypernode/ui';
import { LogStream, SupervisorClient, type StreamState } from '@hypernode/ui/dashboard';

/** How often the services list is re-read beside the live `state` frames (uptime, CPU, memory, counts). */
export const SERVICES_POLL_MS = 3_000;

export interface SupervisorState {
  client?: SupervisorClient;
  /** undefined while the first answer is awaited; false when it does not answer (bare `nx run-many -t serve`). */
  available: boolean | undefined;
  services: SupervisedService[];
  error?: string;
  stream: StreamState;
  /** Re-read now (after an action). */
  refresh: () => void;
  /** Apply a service as an action's answer returned it. */
  update: (service: SupervisedService) => void;
}

/**
 * The supervisor's view of the services: GET /services every SERVICES_POLL_MS, plus the live
 * `state` frames of `WS /logs/stream` (a crash shows at once, not at the next poll).
 */
export function useSupervisor(url: string | undefined, onSignedOut: () => void): SupervisorState {
  const client = useMemo(() => (url ? new SupervisorClient(url) : undefined), [url]);
  const [available, setAvailable] = useState<boolean | undefined>(client ? undefined : false);
  const [services, setServices] = useState<SupervisedService[]>([]);
  const [error, setError] = useState<string>();
  const [stream, setStream] = useState<StreamState>('connecting');
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  const update = useCallback((service: SupervisedService) => setServices((list) => list.map((s) => (s.name === service.name ? service : s))), []);

  useEffect(() => {
    if (!client) return;
    let live = true;
    const load = () =>
      client.services().then(
        (answer) => {
          if (!live) return;
          setServices(answer.services);
          setAvailable(true);
          setError(undefined);
        },
        (e: Error) => {
          if (!live) return;
          if (e instanceof NotSignedInError) return onSignedOut();
          setAvailable(false);
          setError(e.message);
        },
      );
    void load();
    const timer = setInterval(load, SERVICES_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, tick, onSignedOut]);

  useEffect(() => {
    if (!client || !available) return;
    // Only `state` frames are wanted here: ask for fatal lines, the rarest, to keep the socket quiet.
    const ws = new LogStream(
      client.streamUrl({ services: [], level: 'fatal', q: '' }),
      (frame) => {
        if (frame.type === 'state') setServices((list) => (list.some((s) => s.name === frame.service.name) ? list.map((s) => (s.name === frame.service.name ? frame.service : s)) : [...list, frame.service]));
      },
      (state, reconnected) => {
        setStream(state);
        if (reconnected) refresh();
      },
    ).start();
    return () => ws.close();
  }, [client, available, refresh]);

  return { client, available, services, error, stream, refresh, update };
}
