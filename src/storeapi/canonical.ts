/**
 * Proto3-canonical encoding: scalars equal to their default are left out, as Go (and so Thanos) does.
 *
 * protobufjs writes every field that is set, so `{ type: 0 }` costs two bytes (08 00) where Go writes
 * nothing, and re-encoding a decoded message (whose absent scalars read as defaults, see protos.ts) would
 * write all of them. Both decode the same, but our frames should be the bytes Thanos sends. So before
 * protobufjs's encoder runs we copy the message without defaults. Kept as they are: sub-messages, even
 * empty ones (presence advertises an API), and oneof members (setting one is the point, even to '').
 *
 * The copy is also the conversion step: protobufjs's encoder reads plain objects directly; we hand it int64s
 * (given as decimal strings, numbers or bigints) in its fastest form, bytes as Uint8Array, and enums as
 * numbers (names are mapped here).
 */
import protobuf from 'protobufjs';

interface FieldPlan {
  name: string;
  repeated: boolean;
  /** The message type, for message fields. */
  child?: protobuf.Type;
  /** Enum values by name, for enum fields given as strings. */
  enumValues?: Record<string, number>;
  /** Oneof members keep their value even when it is the default. */
  keepDefault: boolean;
  /** A 64-bit integer field (int64, uint64, sint64, fixed64, sfixed64). */
  long: boolean;
  /** A map field: an object of key → value (`child` then types the values). */
  map: boolean;
}

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/**
 * A decimal int64 string in the form protobufjs's writer takes fastest. Up to 15 digits a string is an
 * exact double, and the writer handles numbers ~2× faster than strings (it parses strings with
 * Long.fromString on every write). Longer ones (MaxInt64 sentinels, uint64 hashes) become {low, high} words.
 */
function longForWriter(v: string | bigint): number | { low: number; high: number } {
  if (typeof v === 'string' && v.length <= 15) {
    const n = Number(v);
    if (Number.isInteger(n)) return n;
    throw new TypeError(`not an integer: ${JSON.stringify(v)}`);
  }
  let b: bigint;
  try {
    b = BigInt.asUintN(64, BigInt(v));
  } catch {
    throw new TypeError(`not an integer: ${JSON.stringify(v)}`);
  }
  return { low: Number(b & 0xffffffffn) | 0, high: Number(b >> 32n) | 0 };
}

const plans = new WeakMap<protobuf.Type, FieldPlan[]>();

function planFor(type: protobuf.Type): FieldPlan[] {
  let plan = plans.get(type);
  if (plan === undefined) {
    plan = type.fieldsArray.map((f) => {
      f.resolve();
      const rt = f.resolvedType;
      return {
        name: f.name,
        repeated: f.repeated,
        child: rt instanceof protobuf.Type ? rt : undefined,
        enumValues: rt instanceof protobuf.Enum ? rt.values : undefined,
        keepDefault: f.partOf !== null && f.partOf !== undefined,
        long: LONG_TYPES.has(f.type),
        map: f instanceof protobuf.MapField,
      };
    });
    plans.set(type, plan);
  }
  return plan;
}

/** Proto3 default of a scalar; `long` fields arrive as decimal strings, where "0" is the default. */
function isDefault(v: unknown, long: boolean): boolean {
  switch (typeof v) {
    case 'number':
      return v === 0 && !Object.is(v, -0); // -0.0 is not the default for a double: Go writes it
    case 'string':
      // "0" is the default only of an int64 sent as a string; a label value "0" is real data.
      return v === '' || (long && v === '0');
    case 'boolean':
      return !v;
    case 'bigint':
      return v === 0n;
    default:
      return v instanceof Uint8Array && v.length === 0;
  }
}

function enumNumber(f: FieldPlan, v: unknown): unknown {
  if (typeof v !== 'string' || f.enumValues === undefined) return v;
  const n = f.enumValues[v];
  if (n === undefined) throw new TypeError(`${f.name}: unknown enum value ${JSON.stringify(v)}`);
  return n;
}

/** A copy of `obj` fit for `type.encode`, without default-valued scalars. */
export function canonical(type: protobuf.Type, obj: Record<string, unknown>): Record<string, unknown> {
  if (typeof obj !== 'object' || obj === null) throw new TypeError(`${type.fullName.slice(1)}: object expected, got ${String(obj)}`);
  const out: Record<string, unknown> = {};
  for (const f of planFor(type)) {
    let v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.repeated) {
      if (!Array.isArray(v)) throw new TypeError(`${type.fullName.slice(1)}.${f.name}: array expected`);
      if (v.length === 0) continue;
      if (f.child !== undefined) {
        const child = f.child;
        out[f.name] = v.map((x: Record<string, unknown>) => canonical(child, x));
      } else if (f.enumValues !== undefined) out[f.name] = v.map((x) => enumNumber(f, x));
      else if (f.long) out[f.name] = v.map((x) => (typeof x === 'string' || typeof x === 'bigint' ? longForWriter(x) : x));
      else out[f.name] = v;
      continue;
    }
    if (f.map) {
      // Entries are written whatever their value (a map entry is its key and value, both kept).
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) continue;
      const child = f.child;
      out[f.name] = child === undefined ? v : Object.fromEntries(entries.map(([k, x]) => [k, canonical(child, x as Record<string, unknown>)]));
      continue;
    }
    if (f.child !== undefined) {
      out[f.name] = canonical(f.child, v as Record<string, unknown>);
      continue;
    }
    v = enumNumber(f, v);
    if (!f.keepDefault && isDefault(v, f.long)) continue;
    out[f.name] = f.long && (typeof v === 'string' || typeof v === 'bigint') ? longForWriter(v) : v;
  }
  return out;
}

/** Encodes `obj` as `type`, proto3-canonically. */
export function encodeCanonical(type: protobuf.Type, obj: Record<string, unknown>): Uint8Array {
  return type.encode(canonical(type, obj)).finish();
}
