import { Controller, Get, Header, Inject } from '@nestjs/common';
import { METRICS } from '../tokens.js';
import type { Metrics } from './metrics.js';

@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
