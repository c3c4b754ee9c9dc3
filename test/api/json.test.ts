import t from 'tap';
import { formatFloat, formatTimestamp } from '../../src/api/json.js';

// Expected strings are Go's strconv.FormatFloat(v, 'f', -1, 64) outputs, which Prometheus puts in JSON.
const floats: [number, string][] = [
  [0, '0'],
  [-0, '-0'],
  [1, '1'],
  [-1.5, '-1.5'],
  [0.1, '0.1'],
  [1e21, '1000000000000000000000'],
  [1.5e22, '15000000000000000000000'],
  [1e-7, '0.0000001'],
  [-2.5e-7, '-0.00000025'],
  [123456789.123, '123456789.123'],
  [5e-324, '0.' + '0'.repeat(323) + '5'],
  [1.7976931348623157e308, '17976931348623157' + '0'.repeat(292)],
  [NaN, 'NaN'],
  [Infinity, '+Inf'],
  [-Infinity, '-Inf'],
];
for (const [v, want] of floats) t.equal(formatFloat(v), want, `formatFloat(${v})`);

// Prometheus jsonutil.MarshalTimestamp: seconds, '.', 3-digit ms fraction only when non-zero.
const times: [number, string][] = [
  [0, '0'],
  [1000, '1'],
  [1435781451781, '1435781451.781'],
  [1500, '1.500'],
  [1005, '1.005'],
  [-1500, '-1.500'],
];
for (const [ms, want] of times) t.equal(formatTimestamp(ms), want, `formatTimestamp(${ms})`);
