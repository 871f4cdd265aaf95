import type { ReactNode } from 'react';
import { frontendConfig } from '@hypernode/service-kit/frontend-config';
import { BackendConfigProvider } from './backend-config';

export const metadata = { title: 'Hypernode LLM deployer' };

// Rendered per request: the backend URLs come from the server's environment when it RUNS
// (registry port for its profile and instance, or NEXT_PUBLIC_API_URL / NEXT_PUBLIC_WS_URL),
// never from the environment of `next build`.
export const dynamic = 'force-dynamic';

/** Root layout of the LLM deployer. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <BackendConfigProvider config={frontendConfig()}>{children}</BackendConfigProvider>
      </body>
    </html>
  );
}
