import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthController } from './auth/auth.controller.js';
import { AuthService } from './auth/auth.service.js';
import type { Settings } from './config/settings.js';
import type { Database } from './db/database.js';
import { HealthController } from './health/health.controller.js';
import { HealthProbe } from './health/health-probe.js';
import type { Lifecycle } from './lifecycle/lifecycle.js';
import { LogsController } from './logs/logs.controller.js';
import { LogsService } from './logs/logs.service.js';
import { MetricsController } from './metrics/metrics.controller.js';
import type { Metrics } from './metrics/metrics.js';
import { DATABASE, LIFECYCLE, METRICS, SETTINGS } from './tokens.js';

export interface AppDependencies {
  settings: Settings;
  database: Database;
  healthProbe: HealthProbe;
  lifecycle: Lifecycle;
  metrics: Metrics;
}

/** The resources are created outside Nest and passed in, so the shutdown sequence owns their order. */
@Module({})
export class AppModule {
  static with(deps: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty' })],
      controllers: [LogsController, AuthController, HealthController, MetricsController],
      providers: [
        LogsService,
        AuthService,
        { provide: SETTINGS, useValue: deps.settings },
        { provide: DATABASE, useValue: deps.database },
        { provide: HealthProbe, useValue: deps.healthProbe },
        { provide: LIFECYCLE, useValue: deps.lifecycle },
        { provide: METRICS, useValue: deps.metrics },
      ],
    };
  }
}
