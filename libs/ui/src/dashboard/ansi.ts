import Anser from 'anser';

/** One run of text with its ANSI colour and decoration, as the log viewer draws it. */
export interface AnsiSegment {
  text: string;
  /** Standard colour name without the `ansi-` prefix (`red`, `bright-green`): the tokens give each theme's shade. */
  fg?: string;
  bg?: string;
  /** 256-colour / truecolor `r, g, b` (drawn as given). */
  fgRgb?: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
  dim?: boolean;
}

// eslint-disable-next-line no-control-regex
const HAS_ESCAPE = /\u001b\[/;

/**
 * Splits a line into segments by its SGR escapes (anser parses; nothing becomes HTML: the
 * viewer renders segments as text nodes, so a log line can never inject markup). Named colours
 * become theme tokens so contrast holds in light and dark; other escapes are dropped.
 */
export function ansiSegments(line: string): AnsiSegment[] {
  if (!HAS_ESCAPE.test(line)) return [{ text: line }];
  return Anser.ansiToJson(line, { use_classes: true, remove_empty: true }).map((part) => {
    const seg: AnsiSegment = { text: part.content };
    if (part.fg === 'ansi-truecolor' || (part.fg && !part.fg.startsWith('ansi-'))) {
      if (part.fg_truecolor) seg.fgRgb = part.fg_truecolor;
    } else if (part.fg) seg.fg = part.fg.slice('ansi-'.length);
    if (part.bg && part.bg.startsWith('ansi-') && part.bg !== 'ansi-truecolor') seg.bg = part.bg.slice('ansi-'.length);
    const decorations = (part as { decorations?: string[] }).decorations ?? (part.decoration ? [part.decoration] : []);
    if (decorations.includes('bold')) seg.bold = true;
    if (decorations.includes('italic')) seg.italic = true;
    if (decorations.includes('underline')) seg.underline = true;
    if (decorations.includes('dim')) seg.dim = true;
    return seg;
  });
}

/** The line without escapes (copy, search). */
export function stripAnsi(line: string): string {
  return ansiSegments(line)
    .map((s) => s.text)
    .join('');
}
