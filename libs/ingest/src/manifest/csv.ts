/**
 * A small RFC 4180 reader: comma-separated fields, fields in double quotes may hold commas, line breaks
 * and doubled quotes (`""`). Lenient where that is harmless: a quote inside an unquoted field is kept as
 * is, LF / CRLF / CR all end a row. Fields are returned as written (no trimming).
 */

export interface CsvRow {
  /** 1-based line on which the row starts. */
  line: number;
  fields: string[];
  /** Set when the row is malformed (text after a closing quote, a quote never closed). */
  error?: string;
}

const FIELD_END = /[,\r\n]/g;
const LINE_BREAK = /\r\n|\r|\n/g;

function countLineBreaks(chunk: string): number {
  return chunk.match(LINE_BREAK)?.length ?? 0;
}

/** Index of the next `,`, CR or LF at or after `from`, or the text length. */
function fieldEnd(text: string, from: number): number {
  FIELD_END.lastIndex = from;
  const m = FIELD_END.exec(text);
  return m ? m.index : text.length;
}

/** Parses CSV text into rows; rows that are empty lines are left out. */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const n = text.length;
  let line = 1;
  let i = 0;

  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let error: string | undefined;

    for (;;) {
      let field: string;
      if (text[i] === '"') {
        // Quoted field: chunks up to each quote; `""` is a literal quote.
        field = '';
        i++;
        let closed = false;
        while (i < n) {
          const q = text.indexOf('"', i);
          const chunk = text.slice(i, q < 0 ? n : q);
          line += countLineBreaks(chunk);
          field += chunk;
          if (q < 0) {
            i = n;
            break;
          }
          if (text[q + 1] === '"') {
            field += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          error ??= `quoted field opened on line ${startLine} is never closed`;
        } else {
          const end = fieldEnd(text, i);
          if (end > i) {
            error ??= `unexpected text after a closing quote in field ${fields.length + 1}`;
            i = end;
          }
        }
      } else {
        const end = fieldEnd(text, i);
        field = text.slice(i, end);
        i = end;
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      // End of row: line break or end of text.
      if (text[i] === '\r') i += text[i + 1] === '\n' ? 2 : 1;
      else if (text[i] === '\n') i++;
      line++;
      break;
    }

    const blank = fields.length === 1 && fields[0] === '' && error === undefined;
    if (!blank) rows.push(error === undefined ? { line: startLine, fields } : { line: startLine, fields, error });
  }
  return rows;
}
