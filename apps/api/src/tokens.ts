// Injection tokens. Explicit tokens (not constructor types) keep DI independent of emitDecoratorMetadata,
// so the same code runs under tsc, tsx and vitest transforms.
export const SETTINGS = Symbol('Settings');
export const DATABASE = Symbol('Database');
export const LIFECYCLE = Symbol('Lifecycle');
export const METRICS = Symbol('Metrics');
