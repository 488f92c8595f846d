import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import bodyParser from 'body-parser';

/**
 * body-parser's JSON parser, with its errors turned into the HTTP exceptions the error filter renders:
 * malformed JSON is a 400 that says so, a body over the limit (sent chunked, so not caught by its declared
 * length) is a 413. Nest would otherwise rewrite the parser's SyntaxError into a bare 400.
 */
export function jsonBodyMiddleware(limitBytes: number) {
  const parse = bodyParser.json({ limit: limitBytes, strict: true });
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') {
        return next(new PayloadTooLargeException(`request body exceeds the limit of ${limitBytes} bytes`));
      }
      if (type === 'entity.parse.failed') {
        return next(new BadRequestException(`malformed JSON body: ${(error as Error).message}`));
      }
      if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
        return next(new BadRequestException((error as Error).message));
      }
      next(error);
    });
  };
}
