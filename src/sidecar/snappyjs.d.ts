// snappyjs ships no types. Both functions use the snappy *block* format (no framing), which is what
// Prometheus remote read expects for request bodies and SAMPLES responses.
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  const _default: { compress: typeof compress; uncompress: typeof uncompress };
  export default _default;
}
