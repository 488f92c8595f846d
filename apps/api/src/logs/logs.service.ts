import { Inject, Injectable } from '@nestjs/common';
import { count, desc } from 'drizzle-orm';
import type { Settings } from '../config/settings.js';
import type { Database } from '../db/database.js';
import { logs } from '../db/schema.js';
import { DATABASE, SETTINGS } from '../tokens.js';
import { doCpuWork } from './cpu-work.js';

export interface LogSummary {
  count: number;
  latest: { id: number; createdAt: Date; updatedAt: Date }[];
  message: string;
}

@Injectable()
export class LogsService {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async summary(): Promise<LogSummary> {
    const { db } = this.database;
    // Two independent queries on two pool connections, as the seed's Promise.all does.
    const [totals, latest] = await Promise.all([
      db.select({ value: count() }).from(logs),
      db
        .select({ id: logs.id, createdAt: logs.createdAt, updatedAt: logs.updatedAt })
        .from(logs)
        .orderBy(desc(logs.id))
        .limit(10),
    ]);
    return { count: totals[0]?.value ?? 0, latest, message: `Hello World! ${this.settings.APP_VERSION}` };
  }

  async create(): Promise<{ id: number; message: string }> {
    await doCpuWork(this.settings.CPU_MODE, this.settings.CPU_ITERATIONS);
    const [row] = await this.database.db.insert(logs).values({}).returning({ id: logs.id });
    if (!row) throw new Error('insert returned no row');
    return { id: row.id, message: `Hello Created! ${this.settings.APP_VERSION}` };
  }
}
