import type { ServerResponse } from 'node:http';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  463: 'X-Forwarded-For Header Too Long',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The body ALB itself sends with an error it generates. */
export function elbErrorBody(status: number): string {
  const title = `${status} ${REASONS[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

/** An error answered by the balancer (not a target), as ALB does: HTML, `Server: awselb/2.0`. */
export function sendElbError(res: ServerResponse, status: number, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = elbErrorBody(status);
  res.writeHead(status, REASONS[status] ?? 'Error', {
    server: 'awselb/2.0',
    'content-type': 'text/html',
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/** The raw bytes for errors found while parsing, when there is no response object, only the socket. */
export function rawElbError(status: number): string {
  const body = elbErrorBody(status);
  return (
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nServer: awselb/2.0\r\nContent-Type: text/html\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
