// The theme, applied before the first paint: a stored dark (or light) choice, else the system's
// preference, set on <html> as useTheme (@hypernode/ui/dashboard) sets it once React runs, so a
// dark page never flashes light while the app loads. A file, not an inline script: a CSP of
// script-src 'self' allows it. Keep the storage key in step with THEME_STORAGE_KEY (theme.ts;
// theme-script.spec.ts checks it).
(function () {
  let choice = null;
  try {
    choice = window.localStorage.getItem('hypernode.theme');
  } catch {
    // Storage refused (private mode): the system's preference.
  }
  const dark = typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
  const theme = choice === 'light' || choice === 'dark' ? choice : dark ? 'dark' : 'light';
  document.documentElement.setAttribute('data-theme', theme);
  document.documentElement.style.colorScheme = theme;
})();
