import snappy from 'snappyjs';
import t from 'tap';
import { Matcher, MatchType } from '../../src/model/index.js';
import { readRequestBody } from '../../src/sidecar/read-request.js';
import { decodeReadRequest, encodeReadRequest, matchersToProto, millisToInt64, ReadResponseType } from '../../src/storeapi/index.js';

// What the sidecar sent before (protobufjs through encodeReadRequest): the hand-written body must be its bytes.
function protobufjsBytes(mint: number, maxt: number, matchers: Matcher[]): Uint8Array {
  return encodeReadRequest({
    queries: [
      {
        start_timestamp_ms: millisToInt64(mint),
        end_timestamp_ms: millisToInt64(maxt),
        matchers: matchersToProto(matchers),
        hints: { start_ms: millisToInt64(mint), end_ms: millisToInt64(maxt) },
      },
    ],
    accepted_response_types: [ReadResponseType.STREAMED_XOR_CHUNKS, ReadResponseType.SAMPLES],
  });
}

const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

t.test('the snappy block holds exactly the protobufjs encoding of the request', async (t) => {
  const cases: [string, number, number, Matcher[]][] = [
    ['typical', 1_700_000_000_000, 1_700_007_200_000, [new Matcher(MatchType.RE, '__name__', 'sc_.*')]],
    ['every matcher type', 0, 1, [new Matcher(MatchType.EQ, 'a', 'x'), new Matcher(MatchType.NEQ, 'b', ''), new Matcher(MatchType.RE, 'c', '.+'), new Matcher(MatchType.NRE, 'd', 'y|z')]],
    ['zero times (left out), no matchers', 0, 0, []],
    ['negative start (ten-byte varint)', -5, 10, [new Matcher(MatchType.EQ, 'job', 'a')]],
    ['the int64 bounds', -Infinity, Infinity, [new Matcher(MatchType.EQ, 'job', 'a')]],
    ['beyond 2^53', -(2 ** 60), 2 ** 62, [new Matcher(MatchType.EQ, 'job', 'a')]],
    ['UTF-8 names and values', 1, 2, [new Matcher(MatchType.EQ, 'é', 'ünïcødé ✓ 🚀')]],
  ];
  // Literal lengths around snappy's tag boundaries: 60 (in the tag byte), 256 (one length byte), 65 536 (two), more (three).
  for (const len of [40, 58, 59, 60, 61, 62, 250, 254, 255, 256, 257, 258, 65_530, 65_536, 65_540, 70_000, 17_000_000]) {
    const base = protobufjsBytes(1, 2, [new Matcher(MatchType.EQ, 'n', '')]).length;
    // One matcher whose value pads the message to about `len` bytes (varint lengths shift it by a byte or two).
    cases.push([`about ${len} bytes`, 1, 2, [new Matcher(MatchType.EQ, 'n', 'v'.repeat(Math.max(1, len - base - 4)))]]);
  }
  const literalSizes = new Set<number>();
  for (const [name, mint, maxt, ms] of cases) {
    const body = readRequestBody(mint, maxt, ms);
    const want = protobufjsBytes(mint, maxt, ms);
    const got = snappy.uncompress(body);
    t.equal(hex(got), hex(want), name);
    t.same(decodeReadRequest(got), decodeReadRequest(want), `${name}: decodes alike`);
    literalSizes.add(want.length);
  }
  // The padded cases did land on both sides of each boundary.
  for (const [lo, hi] of [[60, 61], [256, 257], [65_536, 65_537]]) {
    t.ok([...literalSizes].some((n) => n <= lo) && [...literalSizes].some((n) => n >= hi), `lengths on both sides of ${lo}/${hi}`);
  }
});

t.test('a NaN time is refused as millisToInt64 refuses it', async (t) => {
  t.throws(() => readRequestBody(NaN, 1, []), /NaN/);
});
