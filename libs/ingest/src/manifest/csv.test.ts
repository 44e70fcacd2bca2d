import { parseCsv } from './csv';

describe('parseCsv', () => {
  it('splits plain fields and keeps empty ones', () => {
    expect(parseCsv('a,b,c\n1,,3\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '', '3'] },
    ]);
  });

  it('unquotes fields holding commas, doubled quotes and line breaks, and numbers rows by their first line', () => {
    const rows = parseCsv('"tying bow tie, fancy",x\n"say ""hi""",y\n"two\nlines",z\nlast,w');
    expect(rows).toEqual([
      { line: 1, fields: ['tying bow tie, fancy', 'x'] },
      { line: 2, fields: ['say "hi"', 'y'] },
      { line: 3, fields: ['two\nlines', 'z'] },
      { line: 5, fields: ['last', 'w'] },
    ]);
  });

  it('accepts CRLF and CR line endings and skips blank lines without losing the count', () => {
    expect(parseCsv('a,b\r\n\r\nc,d\re,f\r\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['c', 'd'] },
      { line: 4, fields: ['e', 'f'] },
    ]);
  });

  it('flags text after a closing quote and a quote never closed', () => {
    const rows = parseCsv('"ab"c,d\nok,1\n"open,2\nmore');
    expect(rows[0]).toEqual({ line: 1, fields: ['ab', 'd'], error: expect.stringContaining('after a closing quote') });
    expect(rows[1]).toEqual({ line: 2, fields: ['ok', '1'] });
    expect(rows[2]!.line).toBe(3);
    expect(rows[2]!.error).toContain('never closed');
  });
});
