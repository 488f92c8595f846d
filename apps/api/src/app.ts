import 'reflect-metadata';
import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type AppDependencies, AppModule } from './app.module.js';
import type { Settings } from './config/settings.js';
import { openDatabase } from './db/database.js';
import { HealthProbe } from './health/health-probe.js';
import { bodyLimitMiddleware } from './http/body-limit.middleware.js';
import { ErrorFilter } from './http/error.filter.js';
import { jsonBodyMiddleware } from './http/json-body.middleware.js';
import { Lifecycle } from './lifecycle/lifecycle.js';
import { Metrics } from './metrics/metrics.js';
import { requestMetricsMiddleware } from './metrics/request-metrics.middleware.js';

export interface App {
  readonly nest: INestApplication;
  readonly deps: AppDependencies;
  /** Closes the database pools; the HTTP server is closed by the shutdown sequence. */
  closeResources(): Promise<void>;
}

// LOG_LEVEL=info keeps Nest to warnings and errors: its per-route startup lines would repeat for every
// instance a fleet launches. debug shows them.
const NEST_LEVELS: Record<Settings['LOG_LEVEL'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/** Builds the application without listening, so tests can drive it in-process and the server owns `listen`. */
export async function createApp(settings: Settings): Promise<App> {
  const deps: AppDependencies = {
    settings,
    database: openDatabase(settings.DATABASE_URL, settings.DB_POOL_MAX),
    healthProbe: new HealthProbe(settings.DATABASE_URL, settings.HEALTH_DB_TIMEOUT_MS),
    lifecycle: new Lifecycle(),
    metrics: new Metrics({ app_version: settings.APP_VERSION, instance: settings.INSTANCE_ID }),
  };
  const nest = await NestFactory.create<NestExpressApplication>(AppModule.with(deps), {
    bodyParser: false,
    logger: new ConsoleLogger({
      logLevels: NEST_LEVELS[settings.LOG_LEVEL],
      colors: process.stdout.isTTY === true,
    }),
  });
  nest.disable('x-powered-by');
  nest.use(requestMetricsMiddleware(deps.metrics));
  nest.use(bodyLimitMiddleware(settings.BODY_LIMIT_BYTES));
  nest.use((_req: unknown, res: { setHeader(n: string, v: string): void }, next: () => void) => {
    // Which instance answered: lets a load test (and a curious user) see the balancer at work.
    if (settings.INSTANCE_ID) res.setHeader('X-Instance-Id', settings.INSTANCE_ID);
    // While draining, tell keep-alive clients not to reuse this connection.
    if (deps.lifecycle.shuttingDown) res.setHeader('Connection', 'close');
    next();
  });
  nest.use(jsonBodyMiddleware(settings.BODY_LIMIT_BYTES));
  nest.useGlobalFilters(new ErrorFilter());
  await nest.init();
  return {
    nest,
    deps,
    closeResources: async () => {
      await Promise.allSettled([deps.database.close(), deps.healthProbe.close()]);
    },
  };
}
