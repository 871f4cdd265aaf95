/** Why the api could not be used, in words a person can act on. */
export function unreachable(apiUrl: string): string {
  let where = '';
  try {
    where = ` on :${new URL(apiUrl).port}`;
  } catch {
    where = '';
  }
  return `API unreachable${where} — is \`npm start\` running? \`npx hypernode health\``;
}

/** Turns an api 400 message (`body/minVramGb must be > 0`) into per-field messages. */
export function fieldErrors(message: string): Record<string, string> {
  const required = /must have required property '(\w+)'/.exec(message);
  if (required) return { [required[1]!]: 'is required' };
  const field = /^body\/(\w+) (.*)$/.exec(message);
  if (field) return { [field[1]!]: field[2]! };
  return { form: message };
}
