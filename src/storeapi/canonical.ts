/**
 * Proto3-canonical encoding: scalars equal to their default are left out, as Go (and so Thanos) does.
 *
 * protobufjs writes every field that is set, so `{ type: 0 }` costs two bytes (08 00) where Go writes
 * nothing, and re-encoding a decoded message (whose absent scalars read as defaults, see protos.ts) would
 * write all of them. Both decode the same, but our frames should be the bytes Thanos sends. So before
 * protobufjs's encoder runs we copy the message without defaults. Kept as they are: sub-messages, even
 * empty ones (presence advertises an API), and oneof members (setting one is the point, even to '').
 *
 * The copy is also the conversion step: protobufjs's encoder reads plain objects directly, taking int64 as
 * decimal strings or numbers, bytes as Uint8Array, and enums as numbers (names are mapped here).
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
      };
    });
    plans.set(type, plan);
  }
  return plan;
}

function isDefault(v: unknown): boolean {
  switch (typeof v) {
    case 'number':
      return v === 0 && !Object.is(v, -0); // -0.0 is not the default for a double: Go writes it
    case 'string':
      return v === '' || v === '0';
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
      } else out[f.name] = f.enumValues !== undefined ? v.map((x) => enumNumber(f, x)) : v;
      continue;
    }
    if (f.child !== undefined) {
      out[f.name] = canonical(f.child, v as Record<string, unknown>);
      continue;
    }
    v = enumNumber(f, v);
    if (typeof v === 'bigint') v = v.toString();
    if (!f.keepDefault && isDefault(v)) continue;
    out[f.name] = v;
  }
  return out;
}

/** Encodes `obj` as `type`, proto3-canonically. */
export function encodeCanonical(type: protobuf.Type, obj: Record<string, unknown>): Uint8Array {
  return type.encode(canonical(type, obj)).finish();
}
