/**
 * Typed arrays for per-series step data, carved out of large shared buffers. A query creates a few arrays
 * per series per node; allocating each as its own ArrayBuffer costs more in V8 than the arithmetic on it
 * (backing-store bookkeeping and the GC pressure it causes), so small arrays are views into 1 MiB slabs.
 * Slabs are never reused: a view is zeroed because its slab was, and a slab lives while any view does.
 */
const SLAB_BYTES = 1 << 20;
/** Arrays at least this large get their own buffer. */
const OWN_BUFFER_BYTES = SLAB_BYTES >> 3;

let f64Slab = new Float64Array(0);
let f64Used = 0;
let u8Slab = new Uint8Array(0);
let u8Used = 0;

export function allocF64(n: number): Float64Array {
  if (n * 8 >= OWN_BUFFER_BYTES) return new Float64Array(n);
  if (f64Used + n > f64Slab.length) {
    f64Slab = new Float64Array(SLAB_BYTES / 8);
    f64Used = 0;
  }
  const a = f64Slab.subarray(f64Used, f64Used + n);
  f64Used += n;
  return a;
}

export function allocU8(n: number): Uint8Array {
  if (n >= OWN_BUFFER_BYTES) return new Uint8Array(n);
  // Keep views 8-byte aligned so neighbouring arrays never share a cache line oddly; cheap either way.
  const size = (n + 7) & ~7;
  if (u8Used + size > u8Slab.length) {
    u8Slab = new Uint8Array(SLAB_BYTES);
    u8Used = 0;
  }
  const a = u8Slab.subarray(u8Used, u8Used + n);
  u8Used += size;
  return a;
}
