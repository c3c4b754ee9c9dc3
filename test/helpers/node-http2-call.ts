/**
 * One gRPC call made with node:http2 (a real HTTP/2 client, not our channel), for checking what our server
 * answers to request shapes our own client never sends.
 */
import type http2 from 'node:http2';

export interface RawGrpcAnswer {
  headers: http2.IncomingHttpHeaders;
  /** grpc-status from the trailers, or from the headers of a trailers-only answer. */
  status: string;
  message: string;
  /** The response body: length-prefixed messages as sent. */
  data: Buffer;
}

export function nodeHttp2Call(session: http2.ClientHttp2Session, path: string, body: Buffer, extra: Record<string, string> = {}): Promise<RawGrpcAnswer> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const parts: Buffer[] = [];
    req.on('response', (h) => (headers = h));
    req.on('trailers', (h) => (trailers = h));
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('close', () =>
      resolve({ headers, status: String(trailers['grpc-status'] ?? headers['grpc-status']), message: String(trailers['grpc-message'] ?? headers['grpc-message']), data: Buffer.concat(parts) }),
    );
    req.on('error', reject);
    req.end(body);
  });
}
