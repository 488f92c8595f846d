/**
 * k6/http's request flows: a request and what follows its response (cookies stored, a digest round, redirects),
 * run blocking on a VU thread or as a promise chain in the fast path.
 */
import { digestAuthorization, parseDigestChallenge } from './digest-auth.js';
import { addCookies, type Prepared } from './http-request.js';
import { K6Response } from './http-response.js';
import { K6ScriptError, type Transport, takeSamples, vu } from './vu-state.js';
import type { WireRequest, WireResponse } from './wire.js';

/** A request flow: yields the requests to send, gets their responses back, returns k6 responses. */
type Flow<T> = Generator<Prepared[], T, WireResponse[]>;

/**
 * Runs a flow on the VU's transport: blocking on a VU thread, or as a promise the rewritten script awaits
 * in the fast path. One definition of k6's request semantics serves both.
 */
export function drive<T>(flow: Flow<T>): T | Promise<T> {
  const { transport } = vu();
  if (transport.blocking) {
    let step = flow.next();
    while (!step.done) step = flow.next(transport.http(wires(step.value), takeSamples()) as WireResponse[]);
    return step.value;
  }
  return driveAsync(flow, flow.next(), transport);
}

const wires = (batch: Prepared[]) =>
  batch.length === 1 ? [(batch[0] as Prepared).wire] : batch.map((p) => p.wire);

/** The fast path's loop as a promise chain: one `then` per round trip, no async frame around it. */
function driveAsync<T>(flow: Flow<T>, step: IteratorResult<Prepared[], T>, transport: Transport): Promise<T> {
  if (step.done) return Promise.resolve(step.value);
  return (transport.http(wires(step.value), takeSamples()) as Promise<WireResponse[]>).then((responses) =>
    driveAsync(flow, flow.next(responses), transport),
  );
}

/** After a response: cookies into the jar, then digest's second round or the next redirect, as k6 does. */
export function* settle(prepared: Prepared, wire: WireResponse): Flow<K6Response> {
  let current = prepared;
  let response = wire;
  for (;;) {
    const now = Date.now();
    const setCookies: string[] = [];
    const raw = response.headers;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i] as string;
      if (n.length === 10 && n.toLowerCase() === 'set-cookie') setCookies.push(raw[i + 1] as string);
    }
    if (current.jar && setCookies.length > 0)
      current.jar.storeFromResponse(setCookies, new URL(current.wire.url), now);
    const next = followUp(current, response);
    if (!next) {
      if (response.error && vu().options.throw === true) throw new K6ScriptError(response.error);
      return new K6Response(response, current.wire, now, current.bodyText);
    }
    current = next;
    response = (yield [current])[0] as WireResponse;
  }
}

function followUp(p: Prepared, response: WireResponse): Prepared | undefined {
  // Only a digest challenge or a redirect has a follow-up.
  if (response.status !== 401 && (response.status < 301 || response.status > 308)) return undefined;
  const header = (name: string) => {
    const raw = response.headers;
    for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === name) return raw[i + 1];
    return undefined;
  };
  if (
    response.status === 401 &&
    p.params.auth === 'digest' &&
    p.credentials &&
    !p.wire.headers.Authorization
  ) {
    const challenge = parseDigestChallenge(header('www-authenticate') ?? '');
    if (!challenge) return undefined;
    const url = new URL(p.wire.url);
    const wire = {
      ...p.wire,
      headers: {
        ...p.wire.headers,
        Authorization: digestAuthorization(
          challenge,
          p.credentials,
          p.wire.method,
          `${url.pathname}${url.search}`,
        ),
      },
    };
    return { ...p, wire };
  }
  const location = header('location');
  if (![301, 302, 303, 307, 308].includes(response.status) || location === undefined || p.redirectsLeft <= 0)
    return undefined;
  const to = new URL(location, p.wire.url).toString();
  // 301/302/303 turn a POST into a GET without a body (as Go's client does for k6); 307/308 resend it.
  const keepBody = response.status === 307 || response.status === 308;
  const method = keepBody || p.wire.method === 'HEAD' ? p.wire.method : 'GET';
  const headers = { ...p.wire.headers };
  delete headers.Cookie;
  if (!keepBody)
    for (const h of Object.keys(headers)) if (/^content-(type|length)$/i.test(h)) delete headers[h];
  const wire: WireRequest = {
    ...p.wire,
    method,
    url: to,
    headers,
  };
  if (p.wire.tags) wire.tags = { ...p.wire.tags, url: to, name: p.params.tags?.name ?? to };
  if (!keepBody) delete wire.body;
  addCookies(wire, p.jar, undefined);
  return { ...p, wire, bodyText: keepBody ? p.bodyText : '', redirectsLeft: p.redirectsLeft - 1 };
}

export function* one(prepared: Prepared): Flow<K6Response> {
  const [response] = yield [prepared];
  return yield* settle(prepared, response as WireResponse);
}

export function* many(
  prepared: Prepared[],
  keys: string[] | undefined,
): Flow<K6Response[] | Record<string, K6Response>> {
  const first = yield prepared;
  const responses: K6Response[] = [];
  for (const [i, p] of prepared.entries()) responses.push(yield* settle(p, first[i] as WireResponse));
  if (!keys) return responses;
  return Object.fromEntries(keys.map((k, i) => [k, responses[i] as K6Response]));
}
