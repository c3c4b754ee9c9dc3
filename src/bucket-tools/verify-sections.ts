/**
 * verify, the index sections readers do not walk entry by entry: the symbol table's order, the zero padding
 * between sections and entries, and the legacy label index sections (thanos.md §6.1: "no longer used", but
 * Prometheus still writes them and their CRCs say whether those bytes are intact). A flipped byte anywhere in
 * the index then shows up: in a CRC-covered section, or as non-zero padding.
 */
import { crc32c } from '@node-rs/crc32';
import { be32, type ObjectWindow, uvarintAt } from './object-window.js';
import type { BlockReport } from './report.js';

/** Symbol count, or undefined (after a problem) when the table is not strictly ascending. Its CRC is checked already. */
export async function checkSymbols(win: ObjectWindow, at: number, report: BlockReport): Promise<number | undefined> {
  const head = await win.view(at, 8);
  const len = be32(head.b, head.pos);
  const n = be32(head.b, head.pos + 4);
  const v = await win.view(at, 4 + len);
  const b = v.b;
  let p = v.pos + 8;
  let prev: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const l = uvarintAt(b, p, v.avail - (p - v.pos));
    if (l === undefined) return void report.problem(`index: symbol ${i} has a malformed length`);
    const s = b.subarray(p + l[1], p + l[1] + l[0]);
    if (prev !== undefined && Buffer.compare(prev, s) >= 0) {
      return void report.problem(`index: symbols not strictly ascending at symbol ${i} (${JSON.stringify(utf8(prev))} then ${JSON.stringify(utf8(s))})`);
    }
    prev = s;
    p += l[1] + l[0];
  }
  return n;
}

/** Problem unless bytes [from, to) are all zero (writers pad with zeros to align entries and sections). */
export async function checkZeros(win: ObjectWindow, from: number, to: number, what: string, report: BlockReport): Promise<void> {
  if (to <= from) return;
  const v = await win.view(from, to - from);
  for (let i = 0; i < to - from; i++) {
    if (v.b[v.pos + i] !== 0) return void report.problem(`index: non-zero byte in the padding ${what} (offset ${from + i})`);
  }
}

/**
 * The label indices (`len | #names | #entries | refs | CRC`, each 4-byte aligned) in [start, end), and the
 * label offset table (`len | #entries | entries | CRC`) at `table`. 0 offsets mean the writer left them out.
 */
export async function checkLegacySections(win: ObjectWindow, start: number, end: number, table: number, tableEnd: number, report: BlockReport): Promise<void> {
  if (start > 0) {
    for (let p = start; p < end; ) {
      const aligned = Math.ceil(p / 4) * 4;
      await checkZeros(win, p, Math.min(aligned, end), 'before a label index', report);
      p = aligned;
      if (p >= end) break;
      const head = await win.view(p, 4);
      const len = be32(head.b, head.pos);
      if (len === 0) {
        await checkZeros(win, p, end, 'after the label indices', report);
        break;
      }
      if (!(await crcSection(win, p, end, `label index at offset ${p}`, report))) break;
      p += 4 + len + 4;
    }
  }
  if (table > 0) await crcSection(win, table, tableEnd, 'label offset table', report);
}

/** Checks the CRC of the length-prefixed section at `p`, which must end by `limit`; false when it does not. */
async function crcSection(win: ObjectWindow, p: number, limit: number, what: string, report: BlockReport): Promise<boolean> {
  const head = await win.view(p, 4);
  const len = be32(head.b, head.pos);
  if (p + 4 + len + 4 > limit) {
    report.problem(`index: ${what}: ${len} bytes run past the section's end (${limit})`);
    return false;
  }
  const v = await win.view(p, 4 + len + 4);
  const stored = be32(v.b, v.pos + 4 + len);
  const actual = crc32c(v.b.subarray(v.pos + 4, v.pos + 4 + len)) >>> 0;
  if (stored !== actual) report.problem(`index: ${what}: CRC32C 0x${actual.toString(16)} does not match stored 0x${stored.toString(16)}`);
  return true;
}

const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);
