// The first field report's k6 test, as written there (1 min ramp to 50 VUs, 5 min hold, 1 min ramp down; each
// VU POSTs, checks 200, sleeps 1 s). Run: npx fleetproof load examples/k6-seed-post.js   (TARGET=... to aim it)

import { check, sleep } from 'k6';
import http from 'k6/http';

export const options = {
  stages: [
    { duration: '1m', target: 50 },
    { duration: '5m', target: 50 },
    { duration: '1m', target: 0 },
  ],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<2000'],
  },
};

const TARGET = __ENV.TARGET || 'http://127.0.0.1:8080/';

export default function () {
  const res = http.post(TARGET);
  check(res, { 'status was 200': (r) => r.status == 200 });
  sleep(1);
}
