import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from './metrics.js';

interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: string };
}

/**
 * Records every answered request, 404s and rejected bodies included. The route label is the matched
 * template (`/`, `/auth/login`), never the raw URL, so unknown paths cannot grow the label set without bound.
 */
export function requestMetricsMiddleware(metrics: Metrics) {
  return (req: RoutedRequest, res: ServerResponse, next: () => void) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = req.route?.path !== undefined ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      metrics.observe(req.method ?? 'UNKNOWN', route, res.statusCode, seconds);
    });
    next();
  };
}
