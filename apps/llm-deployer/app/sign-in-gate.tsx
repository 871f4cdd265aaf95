'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { SignInPage, SignOutButton, signInFromLocation } from '@hypernode/ui';
import { useBackend } from './backend-config';

/**
 * What a page renders when the api answered 401 to its server-side fetch: signs in with
 * `#sign-in=hnt_…` when the URL carries one, else shows the sign-in page; either way the page is
 * then rendered again on the server, now with the session cookie.
 */
export function SignInGate() {
  const router = useRouter();
  const { apiUrl } = useBackend();
  const [checking, setChecking] = useState(true);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    signInFromLocation(apiUrl).then(
      (who) => (who ? router.refresh() : live && setChecking(false)),
      (e: Error) => {
        if (!live) return;
        setError(e.message);
        setChecking(false);
      },
    );
    return () => {
      live = false;
    };
  }, [router, apiUrl]);
  if (checking) return <p aria-busy="true">Signing in…</p>;
  return <SignInPage apiUrl={apiUrl} onSignedIn={() => router.refresh()} error={error} />;
}

/** The sign-out button: ends the session, then renders the page again (the sign-in page). */
export function SignOut() {
  const router = useRouter();
  const { apiUrl } = useBackend();
  return <SignOutButton apiUrl={apiUrl} onSignedOut={() => router.refresh()} />;
}
