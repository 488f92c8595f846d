/**
 * Runs inside an instance's network namespace: 127.0.0.1:<port> there relays to the database through the
 * namespace's link, so a service that assumes PostgreSQL on localhost:5432 finds it.
 *   node db-relay-main.js <listenHost> <listenPort> <toHost> <toPort>
 */
import { startRelay } from './tcp-relay.js';

const [listenHost = '127.0.0.1', listenPort = '5432', toHost = '', toPort = '5432'] = process.argv.slice(2);
const relay = startRelay({
  listenHost,
  listenPort: Number(listenPort),
  toHost,
  toPort: Number(toPort),
  connectRetryMs: 10_000,
});
relay.ready.catch((error: Error) => {
  process.stderr.write(`fleetproof db relay: ${error.message}\n`);
  process.exit(1);
});
