// What S3 answers with: XML bodies and its <Error> document (Code, Message, details,
// RequestId), shared by the test layers in front of s3rver.
import type { ServerResponse } from 'node:http';

export function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function send(res: ServerResponse, status: number, headers: Record<string, string>, body = ''): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendXml(res: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  send(res, status, { 'content-type': 'application/xml', ...headers }, `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, detail: Record<string, string> = {}, headers: Record<string, string> = {}): void {
  const extra = Object.entries(detail).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('');
  sendXml(res, status, `<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>0</RequestId></Error>`, { 'x-amz-error-code': code, ...headers });
}
