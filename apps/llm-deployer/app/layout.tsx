import type { ReactNode } from 'react';

export const metadata = { title: 'Hypernode LLM deployer' };

/** Root layout of the LLM deployer. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
