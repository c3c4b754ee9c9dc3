/**
 * The static Huffman code of HPACK (RFC 7541 §5.2, Appendix B) and a table-driven decoder.
 *
 * The code is canonical (codes of one length are consecutive, ordered by symbol; each length starts where the
 * previous one ended, shifted left), so the code lengths below define it completely; the codes are rebuilt from
 * them at load. Symbol 256 is EOS, which must never appear inside a string.
 *
 * The decoder is a state machine fed 4 bits at a time (as nghttp2 does): the states are the 256 inner nodes of
 * the code tree, and a table of 256 × 16 transitions (built once at load, 16 KiB) says for each state and nibble
 * the next state, the symbol completed on the way if any (at most one: the shortest code is 5 bits), whether EOS
 * was hit, and whether the string may end there. It may end at the root, or on a path of at most 7 one-bits
 * (the padding must be a prefix of EOS, i.e. all ones, and shorter than a byte).
 */

/** Code length in bits of each symbol 0..256 (RFC 7541 Appendix B). */
const CODE_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0–15
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16–31
   6, 10, 10, 12, 13,  6,  8, 11, 10, 10,  8, 11,  8,  6,  6,  6, // 32–47
   5,  5,  5,  6,  6,  6,  6,  6,  6,  6,  7,  8, 15,  6, 12, 10, // 48–63
  13,  6,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7, // 64–79
   7,  7,  7,  7,  7,  7,  7,  7,  8,  7,  8, 13, 19, 13, 14,  6, // 80–95
  15,  5,  6,  5,  6,  5,  6,  6,  6,  5,  7,  7,  6,  6,  6,  5, // 96–111
   6,  7,  6,  5,  5,  6,  7,  7,  7,  7,  7, 15, 11, 14, 13, 28, // 112–127
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128–143
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144–159
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160–175
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176–191
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192–207
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208–223
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224–239
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240–255
  30, // 256 (EOS)
];

const EOS = 256;

/** Code of each symbol, right-aligned in `HUFFMAN_LENGTHS[sym]` bits. */
export const HUFFMAN_CODES = new Uint32Array(257);
export const HUFFMAN_LENGTHS = Uint8Array.from(CODE_LENGTHS);
{
  const order = [...HUFFMAN_LENGTHS.keys()].sort((a, b) => HUFFMAN_LENGTHS[a] - HUFFMAN_LENGTHS[b] || a - b);
  let code = 0;
  let len = HUFFMAN_LENGTHS[order[0]];
  for (const sym of order) {
    code = code * 2 ** (HUFFMAN_LENGTHS[sym] - len); // multiply: a 30-bit code shifted would pass 2^31
    len = HUFFMAN_LENGTHS[sym];
    HUFFMAN_CODES[sym] = code++;
  }
  if (code !== 2 ** 30) throw new Error('HPACK Huffman code lengths do not form a complete code');
}

// Transition entry layout: bits 0-7 next state, 8-15 symbol, then flags.
const EMIT = 1 << 16;
const ACCEPT = 1 << 17; // the string may end in the next state
const FAIL = 1 << 18; // EOS decoded

const TRANSITIONS = new Uint32Array(256 * 16);
{
  // Tree of inner nodes: child[node*2 + bit] is an inner node id (>= 0) or ~symbol for a leaf.
  const child = new Int32Array(256 * 2).fill(0x7fffffff);
  const depth = new Uint8Array(256);
  const allOnes = new Uint8Array(256);
  allOnes[0] = 1;
  let nodes = 1;
  for (let sym = 0; sym <= EOS; sym++) {
    const len = HUFFMAN_LENGTHS[sym];
    const code = HUFFMAN_CODES[sym];
    let node = 0;
    for (let i = len - 1; i > 0; i--) {
      const bit = (code / 2 ** i) & 1;
      const slot = node * 2 + bit;
      if (child[slot] === 0x7fffffff) {
        child[slot] = nodes;
        depth[nodes] = depth[node] + 1;
        allOnes[nodes] = allOnes[node] & bit;
        nodes++;
      }
      node = child[slot];
    }
    child[node * 2 + (code & 1)] = ~sym;
  }
  for (let state = 0; state < 256; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let i = 3; i >= 0; i--) {
        const next = child[node * 2 + ((nibble >> i) & 1)];
        if (next >= 0) {
          node = next;
        } else {
          if (~next === EOS) entry |= FAIL;
          entry |= EMIT | (~next << 8);
          node = 0;
        }
      }
      if (node === 0 || (allOnes[node] && depth[node] <= 7)) entry |= ACCEPT;
      TRANSITIONS[state * 16 + nibble] = entry | node;
    }
  }
}

let scratch = Buffer.allocUnsafe(4096);

/**
 * Decodes the Huffman string src[start, end) to a latin1 string (one char per octet), or returns null when it is
 * invalid: it contains EOS, or its padding is longer than 7 bits or not all ones (RFC 7541 §5.2).
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number): string | null {
  const maxOut = Math.ceil(((end - start) * 8) / 5); // the shortest code is 5 bits
  // The shared scratch grows up to 64 KiB; a longer string gets a buffer of its own, so nothing huge stays alive.
  let out = scratch;
  if (maxOut > out.length) {
    out = Buffer.allocUnsafe(maxOut);
    if (maxOut <= 65536) scratch = out;
  }
  let n = 0;
  let state = 0;
  let accept = ACCEPT; // the empty string is valid
  for (let i = start; i < end; i++) {
    const byte = src[i];
    const high = TRANSITIONS[(state << 4) | (byte >> 4)];
    const low = TRANSITIONS[((high & 0xff) << 4) | (byte & 0xf)];
    if ((high | low) & FAIL) return null;
    if (high & EMIT) out[n++] = (high >> 8) & 0xff;
    if (low & EMIT) out[n++] = (low >> 8) & 0xff;
    state = low & 0xff;
    accept = low & ACCEPT;
  }
  if (!accept) return null;
  if (n > 10) return out.toString('latin1', 0, n);
  let s = ''; // short strings are faster built in JS than by the native call (see latin1() in hpack.ts)
  for (let i = 0; i < n; i++) s += String.fromCharCode(out[i]);
  return s;
}

/** Huffman-encodes a latin1 string (each char code must be < 256). HpackEncoder sends raw strings; tests use this. */
export function huffmanEncode(s: string): Uint8Array {
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += HUFFMAN_LENGTHS[s.charCodeAt(i) & 0xff];
  const out = new Uint8Array(Math.ceil(bits / 8));
  let acc = 0; // pending bits, right-aligned; kept under 8 + 30 bits as a double-safe number
  let accBits = 0;
  let pos = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`huffmanEncode: char code ${c} is not a byte`);
    acc = acc * 2 ** HUFFMAN_LENGTHS[c] + HUFFMAN_CODES[c];
    accBits += HUFFMAN_LENGTHS[c];
    while (accBits >= 8) {
      accBits -= 8;
      const byte = Math.floor(acc / 2 ** accBits);
      out[pos++] = byte;
      acc -= byte * 2 ** accBits;
    }
  }
  if (accBits > 0) out[pos++] = ((acc << (8 - accBits)) | (0xff >> accBits)) & 0xff; // pad with EOS's leading ones
  return out;
}
