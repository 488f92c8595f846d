/**
 * An error as AWS answers it: the code its documentation names (ValidationError, AccessDenied…), the HTTP
 * status, and who is at fault (Sender for a bad request, Receiver for the service's own failure).
 */
export class AwsApiError extends Error {
  override name = 'AwsApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

/** AWS's ValidationError with the parameter named, as its APIs word it. */
export const validation = (message: string) => new AwsApiError('ValidationError', message);
