/**
 * Client TCP connections that read into shared slabs, and joining pieces of them without copying.
 *
 * By default Node gives every socket read a fresh 64 KiB allocation (a malloc, an ArrayBuffer for the
 * collector to sweep later) and so caps a read at 64 KiB: a 64 KiB gRPC message — one batch of the sidecar's
 * or store's Series answer — always spans two reads and is copied to be joined. Here the reads of a
 * connection land back to back in a slab (`onread` with a buffer per read, a view of the slab's free
 * part): a read may take all of the slab's free room (up to 256 KiB), nothing is allocated per read, and two
 * consecutive reads are adjacent in memory, so a message or frame spanning them is a view (joinParts).
 * Measured on the sidecar bench: the querier side of a 1 k-series Series call 4.4 → 3.9 ms of CPU.
 *
 * Memory: views handed out keep their slab alive, as they kept their read's buffer alive before; a slab is
 * replaced once less than half of it is free, so at least half of every slab holds received bytes. A
 * connection starts with small slabs and doubles them (up to MAX_SLAB_BYTES) whenever a read fills all the
 * room it was given, so the many quiet connections of a large fleet (Info polls) each hold 16 KiB, and only
 * connections that carry big answers hold 256 KiB.
 */
import net from 'node:net';

const FIRST_SLAB_BYTES = 16 * 1024;
const MAX_SLAB_BYTES = 256 * 1024;

/**
 * net.connect({host, port}) with slab reads. The socket behaves as any other (its reads go through
 * `push`: 'data' events, pause/resume and backpressure as usual); only plain TCP (TLS has no `onread`).
 */
export function connectTcp(host: string, port: number): net.Socket {
  let size = FIRST_SLAB_BYTES;
  let slab = Buffer.allocUnsafe(size);
  let used = 0;
  const socket: net.Socket = net.connect({
    host,
    port,
    onread: {
      // Called for the first read and after each one: the free part of the slab, or a new slab.
      buffer: () => {
        if (slab.length - used < slab.length >>> 1 || slab.length < size) {
          slab = Buffer.allocUnsafe(size);
          used = 0;
        }
        return slab.subarray(used);
      },
      // The read's bytes are the start of the buffer given for it. false (consumer over its high-water
      // mark) stops reading until the stream asks for more, as Node's own read path does.
      callback: (n: number, buf: Uint8Array) => {
        used += n;
        if (n === buf.length && size < MAX_SLAB_BYTES) size *= 2; // more was waiting: bigger slabs from the next one
        return socket.push((buf as Buffer).subarray(0, n));
      },
    },
  });
  return socket;
}

/**
 * Buffer.concat(parts, length), but a view when the parts lie back to back in one ArrayBuffer — as
 * consecutive reads of a connectTcp socket do. `length` may be less than the parts' total (a prefix).
 */
export function joinParts(parts: readonly Uint8Array[], length: number): Buffer {
  const first = parts[0];
  if (first !== undefined) {
    const ab = first.buffer;
    let end = first.byteOffset + first.length;
    let have = first.length;
    for (let i = 1; i < parts.length && have < length; i++) {
      const p = parts[i];
      if (p.buffer !== ab || p.byteOffset !== end) return Buffer.concat(parts, length);
      end += p.length;
      have += p.length;
    }
    if (have >= length) return Buffer.from(ab, first.byteOffset, length);
  }
  return Buffer.concat(parts, length);
}
