/**
 * Positions: lezer counts UTF-16 code units, Prometheus (and our AST) counts bytes of the UTF-8 query.
 * `Positions` converts between them and formats parse errors the way Prometheus's ParseErr does:
 * `1:5: parse error: unexpected …`, where 1 is the line and 5 the 1-based byte column.
 */
import { BadDataError } from '../../model/index.js';
import type { PositionRange } from '../ast.js';

export class Positions {
  readonly input: string;
  /** byteAt[i] = UTF-8 byte offset of UTF-16 offset i; null when the input is ASCII (then they are equal). */
  readonly #byteAt: Uint32Array | null;

  constructor(input: string) {
    this.input = input;
    // eslint-disable-next-line no-control-regex
    if (/^[\x00-\x7f]*$/.test(input)) {
      this.#byteAt = null;
      return;
    }
    const map = new Uint32Array(input.length + 1);
    let bytes = 0;
    for (let i = 0; i < input.length; i++) {
      map[i] = bytes;
      const c = input.charCodeAt(i);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < input.length) {
        // A surrogate pair is one 4-byte code point: its low half maps to the same start.
        map[++i] = bytes;
        bytes += 4;
      } else bytes += 3;
    }
    map[input.length] = bytes;
    this.#byteAt = map;
  }

  /** Byte offset of a UTF-16 offset. */
  byte(utf16: number): number {
    return this.#byteAt ? this.#byteAt[Math.min(utf16, this.input.length)]! : utf16;
  }

  /** Byte range of a UTF-16 range. */
  range(from: number, to: number): PositionRange {
    return { start: this.byte(from), end: this.byte(to) };
  }

  /** A BadDataError whose message reads like Prometheus's: `line:col: parse error: msg`. */
  error(msg: string, pos: PositionRange, cause?: unknown): BadDataError {
    return new BadDataError(`${this.lineCol(pos.start)}: parse error: ${msg}`, { position: pos, cause });
  }

  /** Same as `error` for a UTF-16 range. */
  errorAt(msg: string, from: number, to: number = from): BadDataError {
    return this.error(msg, this.range(from, to));
  }

  /** `line:col` of a byte offset, both 1-based (Prometheus ParseErr.Error). */
  lineCol(byteOffset: number): string {
    let line = 1;
    let lastBreak = -1;
    // Newlines are ASCII, so walking UTF-16 and comparing byte offsets finds the same line breaks.
    for (let i = 0; i < this.input.length && this.byte(i) < byteOffset; i++) {
      if (this.input.charCodeAt(i) === 10) {
        line++;
        lastBreak = this.byte(i);
      }
    }
    return `${line}:${byteOffset - lastBreak}`;
  }
}
