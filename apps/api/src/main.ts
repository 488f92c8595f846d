/** Server entry point: `node apps/api/dist/main.js` (the Docker image's CMD). */
import { loadOrExit } from './config/load-or-exit.js';
import { loadSettings } from './config/settings.js';
import { startServer } from './server.js';

const bootStarted = performance.now();
const settings = loadOrExit(loadSettings);
const log = (line: string) => process.stdout.write(`[api ${settings.INSTANCE_ID || process.pid}] ${line}\n`);

const running = await startServer(settings, log).catch((error: Error) => {
  process.stderr.write(`failed to start: ${error.message}\n`);
  process.exit(1);
});
log(
  `${settings.APP_VERSION} listening on ${running.url} (CPU_MODE=${settings.CPU_MODE}, ` +
    `started in ${Math.round(performance.now() - bootStarted)} ms)`,
);

let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    log(`${signal} received`);
    running.shutdown().then((outcome) => {
      if (outcome.clean) {
        log('shutdown complete');
        process.exit(0);
      }
      log(`shutdown timed out: ${outcome.cutRequests} request(s) cut after SHUTDOWN_TIMEOUT_MS`);
      process.exit(1);
    });
  });
}
