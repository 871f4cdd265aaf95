// Ports and backend URLs are not set here: serve.ts takes them from the port registry.
/** @type {import('next').NextConfig} */
const nextConfig = { reactStrictMode: true };
export default nextConfig;
