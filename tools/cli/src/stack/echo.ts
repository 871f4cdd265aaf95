import type { LogLine } from '@hypernode/events';

// One colour per service on a terminal (cycled); none into a pipe or a file.
const COLOURS = [36, 35, 33, 32, 34, 91, 96, 95];
const LEVEL_COLOURS: Partial<Record<LogLine['level'], number>> = { warn: 33, error: 31, fatal: 31 };

/**
 * The terminal echo of the supervised services: each line prefixed with its service name
 * (padded, coloured on a TTY). Pino JSON lines print as `LEVEL message {fields}` rather than raw
 * JSON; plain lines as they were printed.
 */
export function terminalEcho(names: readonly string[], tty: boolean, write: (text: string) => void = (t) => process.stdout.write(t)): (line: LogLine, raw: string) => void {
  const width = Math.max(...names.map((n) => n.length));
  const colourOf = new Map(names.map((n, i) => [n, COLOURS[i % COLOURS.length]!]));
  const paint = (code: number | undefined, text: string) => (tty && code ? `\u001b[${code}m${text}\u001b[39m` : text);
  return (line, raw) => {
    const prefix = `${paint(colourOf.get(line.service), line.service.padEnd(width))} │ `;
    // A parsed (pino) line's message is not the raw text.
    const body = line.message !== raw ? `${paint(LEVEL_COLOURS[line.level], line.level.toUpperCase().padEnd(5))} ${line.message}${line.fields ? ` ${JSON.stringify(line.fields)}` : ''}` : line.message;
    write(`${prefix}${body}\n`);
  };
}

