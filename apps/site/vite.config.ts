import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Port, host and backend URLs are not set here: serve.ts takes them from the port registry
// (libs/ports) and passes them in, so this file never holds a port.
export default defineConfig({
  plugins: [react()],
});
