import { describe, expect, it } from 'vitest';
import { ansiSegments, stripAnsi } from './ansi.js';

describe('ansiSegments', () => {
  it('keeps a plain line as one segment', () => {
    expect(ansiSegments('plain <b>text</b>')).toEqual([{ text: 'plain <b>text</b>' }]);
  });

  it('splits coloured runs into named colours (themed by tokens) and decorations', () => {
    const segs = ansiSegments('\u001b[31mred\u001b[0m then \u001b[1;92mbold green\u001b[0m');
    expect(segs).toEqual([{ text: 'red', fg: 'red' }, { text: ' then ' }, { text: 'bold green', fg: 'bright-green', bold: true }]);
  });

  it('keeps truecolour as rgb, and markup in a coloured run stays text (never HTML)', () => {
    const segs = ansiSegments('\u001b[38;2;10;20;30m<img src=x onerror=alert(1)>\u001b[0m');
    expect(segs).toEqual([{ text: '<img src=x onerror=alert(1)>', fgRgb: '10, 20, 30' }]);
  });

  it('stripAnsi gives the text without escapes', () => {
    expect(stripAnsi('\u001b[33mwarn\u001b[39m: \u001b[4mdisk\u001b[24m')).toBe('warn: disk');
  });
});
