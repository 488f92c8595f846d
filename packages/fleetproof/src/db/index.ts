export {
  DEFAULT_EMBEDDED_PORT,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
  startEmbeddedPostgres,
} from './embedded-postgres.js';
export { openProjectDatabase, type ProjectDatabase, redactUrl } from './project-database.js';
