import type { LoadHttpClient } from './http-client.js';
import type { LoadMetrics } from './load-metrics.js';
import type { Step } from './plan.js';

/** What one virtual user carries through its iteration. */
export interface VuContext {
  readonly id: number;
  readonly client: LoadHttpClient;
  readonly metrics: LoadMetrics;
  readonly target: string | undefined;
  readonly timeoutMs: number;
  readonly vars: Map<string, unknown>;
  /** Intended start of the iteration (open model): the first request is timed from here. */
  intendedStartAt: number | undefined;
  stopped: boolean;
  /** Called when the engine stops this VU mid-iteration (a k6 VU's thread is told to stop). */
  onStop?: () => void;
  now(): number;
}

/** Stops a VU: its current iteration ends at its next request or sleep. */
export function stopVu(vu: VuContext): void {
  vu.stopped = true;
  vu.onStop?.();
}

export class FlowFailure extends Error {}

/** Replaces `{{ name }}` with a variable captured earlier in this VU's iteration. */
export function fill(template: string, vars: Map<string, unknown>): string {
  return template.replace(/\{\{\s*([\w.$-]+)\s*\}\}/g, (_, name: string) => {
    if (!vars.has(name)) throw new FlowFailure(`template variable {{ ${name} }} was never captured`);
    return String(vars.get(name));
  });
}

function fillDeep(value: unknown, vars: Map<string, unknown>): unknown {
  if (typeof value === 'string') return fill(value, vars);
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, vars)]));
  }
  return value;
}

/** `$.a.b[0].c` on a parsed JSON value (the subset of JSONPath Artillery scripts use for captures). */
export function jsonPath(value: unknown, path: string): unknown {
  if (!path.startsWith('$'))
    throw new FlowFailure(`capture path ${JSON.stringify(path)}: expected one starting with $`);
  let current = value;
  for (const [, key, index] of path.slice(1).matchAll(/\.([\w$-]+)|\[(\d+)\]/g)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key ?? Number(index)];
  }
  return current;
}

export function resolveUrl(url: string, target: string | undefined): string {
  if (/^https?:\/\//.test(url)) return url;
  if (!target)
    throw new FlowFailure(
      `relative url ${url} with no target: set config.target (Artillery) or use an absolute URL`,
    );
  return new URL(url, target).toString();
}

export function sleep(ms: number, vu: VuContext): Promise<void> {
  if (vu.stopped || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs a data flow once. Resolves true when the virtual user completed; false when it failed (a transport
 * error, a status outside `expect`, a capture that found nothing): Artillery's vusers.failed.
 */
export async function runSteps(steps: readonly Step[], vu: VuContext): Promise<boolean> {
  for (const step of steps) {
    if (vu.stopped) return true;
    if (step.kind === 'think') {
      await sleep(step.seconds * 1000, vu);
      continue;
    }
    if (step.kind === 'loop') {
      for (let i = 0; i < step.count && !vu.stopped; i++) if (!(await runSteps(step.steps, vu))) return false;
      continue;
    }
    if (!(await runRequest(step, vu))) return false;
  }
  return true;
}

/** Resolved URLs of steps without templates: the same string for every iteration, so resolve it once. */
const staticUrls = new WeakMap<object, string>();

async function runRequest(step: Extract<Step, { kind: 'request' }>, vu: VuContext): Promise<boolean> {
  let url: string;
  let headers: Record<string, string> | undefined;
  let body: string | undefined;
  try {
    const cached = staticUrls.get(step);
    if (cached !== undefined) url = cached;
    else {
      url = resolveUrl(fill(step.url, vu.vars), vu.target);
      if (!step.url.includes('{{')) staticUrls.set(step, url);
    }
    headers = step.headers && (fillDeep(step.headers, vu.vars) as Record<string, string>);
    if (step.json !== undefined) {
      body = JSON.stringify(fillDeep(step.json, vu.vars));
      headers = { 'content-type': 'application/json', ...headers };
    } else if (step.body !== undefined) {
      body = fill(step.body, vu.vars);
    }
  } catch (error) {
    if (error instanceof FlowFailure) return false;
    throw error;
  }
  const startAt = vu.intendedStartAt ?? vu.now();
  vu.intendedStartAt = undefined;
  const response = await vu.client.request({
    method: step.method,
    url,
    ...(headers ? { headers } : {}),
    ...(body !== undefined ? { body } : {}),
    wantBody: step.capture !== undefined,
    timeoutMs: vu.timeoutMs,
    startAt,
  });
  vu.metrics.request(response);
  if (response.status === 0) return false;
  if (step.expect) {
    const ok = step.expect.includes(response.status);
    vu.metrics.check(ok);
    if (!ok) return false;
  }
  for (const capture of step.capture ?? []) {
    let value: unknown;
    try {
      value = jsonPath(JSON.parse(response.body), capture.json);
    } catch {
      value = undefined;
    }
    if (value === undefined) return false;
    vu.vars.set(capture.as, value);
  }
  return true;
}
