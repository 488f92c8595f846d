import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One row per POST /: the seeds' workload writes here and GET / reads the newest. */
// "Newest" is ordered by id (the primary key index), which follows insertion order.
export const logs = pgTable('logs', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Accounts for the second report's login scenario. */
export const users = pgTable('users', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
