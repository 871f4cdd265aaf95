'use client';

import { createContext, useContext, type ReactNode } from 'react';
import type { FrontendConfig } from '@hypernode/service-kit/frontend-config';

const BackendContext = createContext<FrontendConfig | undefined>(undefined);

/**
 * Hands the backend URLs the root layout read from the SERVER's environment at request time
 * to every client component: nothing is baked into the build, so one build (one image) runs
 * against any backend. NEXT_PUBLIC_API_URL / NEXT_PUBLIC_WS_URL still work as overrides, read
 * at run time by the server (see @hypernode/service-kit/frontend-config).
 */
export function BackendConfigProvider({ config, children }: { config: FrontendConfig; children: ReactNode }) {
  return <BackendContext.Provider value={config}>{children}</BackendContext.Provider>;
}

/** The backend URLs for the browser; throws when rendered outside the root layout. */
export function useBackend(): FrontendConfig {
  const config = useContext(BackendContext);
  if (!config) throw new Error('useBackend() outside <BackendConfigProvider>: render it inside app/layout.tsx');
  return config;
}
