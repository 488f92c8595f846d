import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** nginx and HAProxy from Debian, one worker/thread each (as one Node process has one event loop). */
export function ensureInstalled(binary: string, debianPackage: string): boolean {
  if (spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0) return true;
  if (process.getuid?.() !== 0) return false;
  console.log(`installing ${debianPackage} from Debian…`);
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  spawnSync('apt-get', ['install', '-y', '-qq', debianPackage], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

export function startNginx(dir: string, port: number, upstreamPort: number): ChildProcess {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
error_log ${dir}/logs/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`,
  );
  return spawn('nginx', ['-c', conf, '-p', dir], { stdio: 'ignore' });
}

export function startHaproxy(dir: string, port: number, upstreamPort: number): ChildProcess {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'haproxy.cfg');
  writeFileSync(
    conf,
    `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 10s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  http-reuse always
  server s1 127.0.0.1:${upstreamPort}
`,
  );
  return spawn('haproxy', ['-f', conf, '-db'], { stdio: 'ignore' });
}
