export * from './db/index.js';
export { ERROR_CODES, type ErrorCode, FleetError } from './errors.js';
export { findProjectRoot, stateDir } from './project.js';
