// The first field report's k6 test shape, compressed for `fleetproof prove`'s variant experiment: VUs ramp to
// 30, hold, ramp down; each POSTs / (CPU-heavy in apps/api) and sleeps 1 s. TARGET=... to aim it elsewhere.

import { check, sleep } from 'k6';
import http from 'k6/http';

export const options = {
  stages: [
    { duration: '6s', target: 30 },
    { duration: '24s', target: 30 },
    { duration: '3s', target: 0 },
  ],
};

const TARGET = __ENV.TARGET || 'http://127.0.0.1:8080/';

export default function () {
  const res = http.post(TARGET);
  check(res, { 'status was 200': (r) => r.status == 200 });
  sleep(1);
}
