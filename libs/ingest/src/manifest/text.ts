/**
 * Reading manifest files as text: the one place that turns "file missing / unreadable" into an
 * IngestError, strips a UTF-8 byte-order mark and splits lines whatever their ending (LF, CRLF, CR).
 */
import * as fs from 'node:fs';
import { IngestError } from '../errors';

/** At most `max` characters of `text`, escaped and quoted, for an error message (never raw bytes on a terminal). */
export function excerpt(text: string, max = 60): string {
  return JSON.stringify(text.slice(0, max)) + (text.length > max ? ` ... (${text.length} characters)` : '');
}

/** True when the start of `bytes` is not text: a NUL byte, or more than 2% of it not valid UTF-8. */
function isBinary(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return true;
  const decoded = head.toString('utf8');
  let bad = 0;
  for (const ch of decoded) if (ch === '\ufffd') bad++;
  return bad > 0.02 * decoded.length;
}

/**
 * Reads a manifest file as UTF-8 text without a leading BOM. Throws IngestError naming it when it is missing,
 * unreadable, or binary (a video or an archive given as a manifest: refused with a short escaped excerpt).
 */
export function readManifestText(file: string, what = 'manifest file'): string {
  let text: string;
  try {
    const bytes = fs.readFileSync(file);
    if (isBinary(bytes))
      throw new IngestError(
        'bad-manifest-line',
        file,
        `${what} is binary data, not text (it starts with ${excerpt(bytes.subarray(0, 16).toString('latin1'), 16)})`,
        'check that the path names the manifest, not a video or an archive',
      );
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof IngestError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new IngestError('missing-file', file, `${what} not found`, 'check the path in the manifest spec');
    }
    if (code === 'EISDIR') {
      throw new IngestError('missing-file', file, `${what} is a directory, expected a file`, 'point the spec at the file itself');
    }
    throw new IngestError('missing-file', file, `${what} cannot be read: ${(err as Error).message}`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Splits text into lines on LF, CRLF or CR; line i of the result is line i+1 of the file. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  // A trailing newline does not start another line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Parses a JSON manifest file. Throws IngestError('bad-manifest-line') naming the file when it is not JSON. */
export function readManifestJson(file: string, what = 'manifest file'): unknown {
  const text = readManifestText(file, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new IngestError('bad-manifest-line', file, `${what} is not valid JSON: ${(err as Error).message}`);
  }
}
