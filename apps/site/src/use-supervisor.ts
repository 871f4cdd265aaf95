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
  /** It answered at least once on this page (a later hiccup keeps the logs view and its lines). */
  answered: boolean;
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
export function useSupervisor(url: string | undefined): SupervisorState {
  const client = useMemo(() => (url ? new SupervisorClient(url) : undefined), [url]);
  const [available, setAvailable] = useState<boolean | undefined>(client ? undefined : false);
  const [services, setServices] = useState<SupervisedService[]>([]);
  const [answered, setAnswered] = useState(false);
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
          setAnswered(true);
          setError(undefined);
        },
        (e: Error) => {
          if (!live) return;
          // The api owns the session (its 401 signs the page out); a supervisor that refuses it
          // for a moment (its credential lookup under load) only pauses logs and actions.
          setAvailable(false);
          setError(e instanceof NotSignedInError ? 'the supervisor did not accept this session (401); retrying' : e.message);
        },
      );
    void load();
    const timer = setInterval(load, SERVICES_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, tick]);

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

  return { client, available, answered, services, error, stream, refresh, update };
}
