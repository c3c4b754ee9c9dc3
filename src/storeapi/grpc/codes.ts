/**
 * gRPC status codes (the numbers every implementation puts in `grpc-status`), and the error a call ends with.
 */

export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type Code = (typeof Code)[keyof typeof Code];

const NAMES: string[] = [];
for (const [name, n] of Object.entries(Code)) NAMES[n] = name;

/** `DEADLINE_EXCEEDED` for 4; the number itself for a code outside the table. */
export function codeName(code: number): string {
  return NAMES[code] ?? String(code);
}

/** What a `grpc-status` header value means: a number in 0..16, anything else UNKNOWN (as grpc-go reads it). */
export function parseCode(value: string | string[] | undefined): Code {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || !/^\d{1,2}$/.test(v)) return Code.UNKNOWN;
  const n = Number(v);
  return (n <= 16 ? n : Code.UNKNOWN) as Code;
}

/** A call that ended with a non-OK status, on either side. */
export class GrpcStatusError extends Error {
  override name = 'GrpcStatusError';
  readonly code: Code;
  readonly details: string;

  constructor(code: Code, details: string, options?: { cause?: unknown }) {
    super(`${codeName(code)}: ${details}`, options);
    this.code = code;
    this.details = details;
  }
}

/**
 * The status for a response without `grpc-status`, by its HTTP status (gRPC's HTTP-to-gRPC mapping): what a
 * proxy or a non-gRPC server in the way answers.
 */
export function codeFromHttpStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.INTERNAL;
    case 401:
      return Code.UNAUTHENTICATED;
    case 403:
      return Code.PERMISSION_DENIED;
    case 404:
      return Code.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code.UNAVAILABLE;
    default:
      return Code.UNKNOWN;
  }
}
