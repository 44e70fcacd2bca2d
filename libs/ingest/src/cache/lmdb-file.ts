/**
 * A look at a frame cache's `data.mdb` before LMDB maps it. LMDB trusts its file: a truncated copy (a partial copy,
 * a full disk) makes the first read past the end kill the process with SIGBUS, and overwritten bytes crash it with
 * SIGSEGV, both without a word. So the file is checked first, from what LMDB itself reads when it opens: the two
 * meta pages at its start (page header flag P_META, magic 0xBEEFC0DE, the page size in the free-list database's
 * `md_pad`), the newest one's last page (the file must reach its end) and the databases' root pages (inside the
 * file). Pages in the middle are not read: this catches truncation and garbage, not every corruption.
 *
 * Layout (lmdb.h / mdb.c, 64-bit): a page header of 16 bytes (LMDB 0.9, format 1) or 24 bytes (LMDB 1.0, format 2:
 * a txnid added), then MDB_meta: magic u32, version u32, address, mapsize, two MDB_db of 48 bytes (pad u32, flags
 * u16, depth u16, branch/leaf/overflow pages, entries, root), last page, txnid. Pure apart from reading the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IngestError } from '../errors';

const MAGIC = 0xbeefc0de;
const P_META = 0x08;
const P_INVALID = 0xffffffffffffffffn;

interface Meta {
  pageSize: number;
  lastPage: bigint;
  txnid: bigint;
  roots: bigint[];
}

/** The meta page at `at`, or why it is not one. */
function readMeta(buf: Buffer, at: number): Meta | string {
  for (const header of [24, 16]) {
    const m = at + header;
    if (buf.length < m + 136) continue;
    if (buf.readUInt32LE(m) !== MAGIC) continue;
    if ((buf.readUInt16LE(m - 6) & P_META) === 0) return `the meta page at byte ${at} is not marked as one`;
    const dbs = m + 24;
    return {
      pageSize: buf.readUInt32LE(dbs),
      lastPage: buf.readBigUInt64LE(dbs + 96),
      txnid: buf.readBigUInt64LE(dbs + 104),
      roots: [buf.readBigUInt64LE(dbs + 40), buf.readBigUInt64LE(dbs + 88)],
    };
  }
  return `no LMDB meta page at byte ${at} (no magic number)`;
}

const mb = (n: number | bigint) => `${(Number(n) / 2 ** 20).toFixed(1)} MB`;

/**
 * Throws an IngestError naming `dir`'s data.mdb when LMDB could not open it safely (truncated, overwritten, not an
 * LMDB file); returns quietly when it looks whole or does not exist (a cache not yet created).
 */
export function checkLmdbFile(dir: string): void {
  const file = path.join(dir, 'data.mdb');
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return;
  }
  const hint = 'copy it again from where it was built, or rebuild it: the same `nx run ingest:<dataset>` command into a new --out folder';
  const refuse = (reason: string): never => {
    throw new IngestError('cache', file, `this frame cache cannot be opened safely: ${reason}`, hint);
  };
  if (!st.isFile()) refuse('data.mdb is not a regular file');
  if (st.size === 0) refuse('data.mdb is empty (0 bytes)');
  const head = Buffer.alloc(Math.min(st.size, 65536 * 2 + 256));
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const first = readMeta(head, 0);
  if (typeof first === 'string') return refuse(`${first}: not an LMDB file, or its start was overwritten`);
  const { pageSize } = first;
  if (!(pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0)) return refuse(`its page size reads ${pageSize}: the meta page is damaged`);
  if (st.size < 2 * pageSize) return refuse(`data.mdb is truncated: ${st.size} bytes, less than its two meta pages`);
  const second = readMeta(head, pageSize);
  if (typeof second === 'string') return refuse(`${second}: the file is damaged`);
  const meta = second.txnid > first.txnid ? second : first;
  const needed = (meta.lastPage + 1n) * BigInt(pageSize);
  if (BigInt(st.size) < needed)
    return refuse(
      `data.mdb is truncated: ${mb(st.size)} of the ${mb(needed)} its last transaction wrote (a partial copy, or a disk that filled up while copying)`,
    );
  for (const root of meta.roots)
    if (root !== P_INVALID && root > meta.lastPage)
      return refuse(`a database root page (${root}) lies past its last page (${meta.lastPage}): the file is damaged`);
}
