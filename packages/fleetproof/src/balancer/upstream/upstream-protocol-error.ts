export class UpstreamProtocolError extends Error {
  readonly code = 'FP_UPSTREAM_MALFORMED';
  constructor(message: string) {
    super(`malformed response from the target: ${message}`);
    this.name = 'UpstreamProtocolError';
  }
}
