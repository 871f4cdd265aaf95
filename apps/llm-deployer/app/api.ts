/** The api's URL; serve.ts sets it from the port registry (an explicit env var wins). */
export const API_URL = process.env.NEXT_PUBLIC_API_URL;
/** The realtime server's URL. */
export const WS_URL = process.env.NEXT_PUBLIC_WS_URL;

/** Why the api could not be used, in words a person can act on. */
export function unreachable(): string {
  return `API unreachable${API_URL ? ` on :${new URL(API_URL).port}` : ''} — is \`npm start\` running? \`npx hypernode health\``;
}

/** Turns an api 400 message (`body/minVramGb must be > 0`) into per-field messages. */
export function fieldErrors(message: string): Record<string, string> {
  const required = /must have required property '(\w+)'/.exec(message);
  if (required) return { [required[1]!]: 'is required' };
  const field = /^body\/(\w+) (.*)$/.exec(message);
  if (field) return { [field[1]!]: field[2]! };
  return { form: message };
}
