/**
 * Runs Artillery scenarios as Artillery's HTTP engine does: each arrival a virtual user with its own context
 * (variables, payload row, cookie jar), processor hooks in callback or async style, captures, Artillery's
 * expect plugin, one logical request per redirect chain. Requests go through the generator's client.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { VuContext } from '../flow-runner.js';
import type { LoadResponse } from '../http-client.js';
import { CookieJar } from '../k6/cookie-jar.js';
import { asList, isObj, type Obj } from '../plain-values.js';
import { captureInto } from './artillery-capture.js';
import { type ArtilleryMetrics, type Events, expectations } from './artillery-plugins.js';
import { type BuiltRequest, buildRequest } from './artillery-request.js';
import type { ArtilleryScript } from './artillery-script.js';
import { artilleryDuration } from './durations.js';
import { evaluate } from './expression.js';
import { getPath, randomNumber, randomString, type TemplateContext, template } from './template.js';

type Hook = (...args: unknown[]) => unknown;
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
/** A request step's method key (get, post, …), found once per step. */
const methodOf = new WeakMap<Obj, string>();

/** A virtual user's context, the object processor functions receive (Artillery's userContext). */
export interface ArtilleryContext extends TemplateContext {
  _uid: string;
  _jar: CookieJar;
  vu: VuContext;
}

/** The response hooks see (Artillery passes got's response, with body attached). */
export interface HookResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: string;
  url: string;
  timings: { phases: { firstByte: number; total: number } };
}

class ScenarioFailure extends Error {}

interface StepInfo {
  method: string;
  timeoutMs: number;
  beforeRequest: unknown[];
  /** No template, cookie or file anywhere in the step: the built request is the same every time. */
  fixed: boolean;
  built: BuiltRequest | undefined;
  /** Captures, hooks, expect or a per-response plugin look at the response. */
  readsResponse: boolean;
  /** A beforeRequest or afterResponse hook receives the request's params. */
  hooked: boolean;
}

/** Calls a processor function in Artillery's two styles: a plain function gets `next`, an async one is awaited. */
function callHook(fn: Hook, args: unknown[]): Promise<unknown> {
  if (fn.constructor.name === 'Function') {
    return new Promise((resolve, reject) => {
      fn(...args, (error?: unknown, value?: unknown) => (error ? reject(error) : resolve(value)));
    });
  }
  return Promise.resolve(fn(...args));
}

export class ArtilleryRuntime {
  private processor: Record<string, Hook> = {};
  private readonly sequences = new Map<number, number>();

  constructor(
    private readonly script: ArtilleryScript,
    readonly metrics: ArtilleryMetrics,
  ) {}

  async load(): Promise<void> {
    const path = this.script.processorPath;
    if (!path) return;
    let module: Record<string, unknown>;
    try {
      module = createRequire(path)(path) as Record<string, unknown>;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw error;
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    }
    const exports = (
      module.default && isObj(module.default) ? { ...module.default, ...module } : module
    ) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports))
      if (typeof value === 'function') this.processor[name] = value as Hook;
  }

  private get events(): Events {
    return this.metrics.events;
  }

  private hook(name: unknown, context: ArtilleryContext): Hook | undefined {
    const fn = this.processor[String(template(name, context))];
    if (!fn) console.log(`WARNING: custom function ${String(name)} could not be found`);
    return fn;
  }

  /** A fresh context, as Artillery's createContext: built-in variables, then payload rows, then config.variables. */
  private context(vu: VuContext): ArtilleryContext {
    const config = this.script.config;
    const vars: Obj = {
      target: config.target,
      $environment: this.script.environment,
      $processEnvironment: process.env,
      $env: process.env,
    };
    this.script.payloads.forEach((payload, i) => {
      if (payload.loadAll) {
        if (payload.name)
          vars[payload.name] =
            payload.fields.length > 0
              ? payload.rows.map((r) => Object.fromEntries(payload.fields.map((f, j) => [f, r[j]])))
              : payload.rows;
        return;
      }
      let row: unknown[] | undefined;
      if (payload.order === 'sequence') {
        const at = this.sequences.get(i) ?? 0;
        row = payload.rows[at];
        this.sequences.set(i, at < payload.rows.length - 1 ? at + 1 : 0);
      } else row = payload.rows[Math.floor(Math.random() * payload.rows.length)];
      payload.fields.forEach((field, j) => {
        vars[field] = row?.[j];
      });
    });
    if (isObj(config.variables)) {
      for (const [name, value] of Object.entries(config.variables))
        vars[name] = Array.isArray(value) ? value[Math.floor(Math.random() * value.length)] : value;
    }
    const uid = randomUUID();
    vars.$uuid = uid;
    const context: ArtilleryContext = {
      vars,
      funcs: {
        $randomNumber: randomNumber,
        $randomString: randomString,
        $template: (input: unknown) => template(input, context),
      },
      _uid: uid,
      _jar: new CookieJar(),
      vu,
    };
    return context;
  }

  /** One virtual user through scenario `index`: resolves false when it failed (vusers.failed). */
  async run(index: number, vu: VuContext): Promise<boolean> {
    const scenario = this.script.scenarios[index] as Obj;
    const context = this.context(vu);
    try {
      for (const name of asList(scenario.beforeScenario)) await this.callFunction(name, context);
      await this.steps(asList(scenario.flow), context, scenario);
      for (const name of asList(scenario.afterScenario)) await this.callFunction(name, context);
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      this.events.emit('counter', `errors.${code ?? (error as Error).message}`, 1);
      return false;
    }
  }

  private async callFunction(name: unknown, context: ArtilleryContext): Promise<void> {
    const fn = this.hook(name, context);
    if (fn) await callHook(fn, [context, this.events]);
    else this.events.emit('counter', `errors.Undefined function "${String(name)}"`, 1);
  }

  private async steps(steps: unknown[], context: ArtilleryContext, scenario: Obj): Promise<void> {
    for (const step of steps) {
      if (context.vu.stopped) return;
      await this.step(step as Obj, context, scenario);
    }
  }

  // Not async: a request step returns request()'s promise as it is, one promise fewer per request.
  private step(step: Obj, context: ArtilleryContext, scenario: Obj): Promise<void> | undefined {
    if ('think' in step)
      return this.sleep(artilleryDuration(template(step.think, context), 'think'), context);
    if ('log' in step) {
      console.log(template(step.log, context));
      return;
    }
    if ('function' in step) return this.callFunction(step.function, context);
    if ('parallel' in step)
      return Promise.all(asList(step.parallel).map((s) => this.step(s as Obj, context, scenario))).then(
        () => {},
      );
    if ('loop' in step) return this.loop(step, context, scenario);
    let method = methodOf.get(step);
    if (method === undefined) {
      method = METHODS.find((m) => m in step) as string;
      methodOf.set(step, method);
    }
    return this.request(method, step[method] as Obj, context, scenario);
  }

  private sleep(ms: number, context: ArtilleryContext): Promise<void> {
    if (ms <= 0 || context.vu.stopped) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** loop with count (a number or "from-to"), over (a list or a variable's list), or whileTrue (a processor function). */
  private async loop(step: Obj, context: ArtilleryContext, scenario: Obj): Promise<void> {
    const indexVar = typeof step.loopValue === 'string' ? step.loopValue : '$loopCount';
    const elementVar = typeof step.loopElement === 'string' ? step.loopElement : '$loopElement';
    let over: unknown[] | undefined;
    if (Array.isArray(step.over)) over = step.over;
    else if (typeof step.over === 'string') {
      const found = getPath(context.vars, step.over);
      if (!Array.isArray(found)) return;
      over = found;
    }
    const count = template(step.count, context);
    let from = 0;
    let to = -1;
    if (typeof count === 'number') to = count;
    else if (typeof count === 'string' && /^\d+-\d+$/.test(count))
      [from, to] = count.split('-').map(Number) as [number, number];
    else if (typeof count === 'string' && !Number.isNaN(Number(count))) to = Number(count);
    else if (over === undefined && step.whileTrue === undefined) to = 0;
    const whileTrue = step.whileTrue !== undefined ? this.hook(step.whileTrue, context) : undefined;
    // As Artillery's createLoopWithCount: the index and element are set before the first pass and moved on
    // after each one; whileTrue is asked after the move.
    context.vars[indexVar] = from;
    context.vars[elementVar] = over ? over[from] : from;
    for (let i = from; ; ) {
      if (over ? i >= over.length : !whileTrue && to !== -1 && i >= to) break;
      if (context.vu.stopped) return;
      await this.steps(asList(step.loop), context, scenario);
      i += 1;
      context.vars[indexVar] = Number(context.vars[indexVar]) + 1;
      if (over) context.vars[elementVar] = over[i];
      if (whileTrue && !(await this.ask(whileTrue, context))) break;
    }
  }

  private ask(fn: Hook, context: ArtilleryContext): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const answer = fn(context, (b: unknown) => resolve(Boolean(b)));
      if (answer && typeof (answer as Promise<unknown>).then === 'function')
        (answer as Promise<unknown>).then((b) => resolve(Boolean(b)));
    });
  }

  private async request(
    method: string,
    params: Obj,
    context: ArtilleryContext,
    scenario: Obj,
  ): Promise<void> {
    if (params.probability !== undefined && Math.random() * 100 >= Number(params.probability)) return;
    if (params.ifTrue !== undefined && !this.condition(params.ifTrue, context)) return;
    const info = this.stepInfo(method, params, scenario);
    // The params object hooks receive (and beforeRequest may change): only made when a hook will see it or
    // the request must be built again; a plain step's request is built once (below) and sent as it is.
    let requestParams: Obj | undefined;
    // Without beforeRequest hooks (which may change anything), a step with no templates is built once.
    let sent = info.built;
    if (!sent || info.hooked) {
      requestParams = this.requestParams(params, info);
      for (const name of info.beforeRequest) {
        const fn = this.hook(name, context);
        if (fn) await callHook(fn, [requestParams, context, this.events]);
      }
      if (!sent) {
        sent = buildRequest(this.script, requestParams, params, context);
        if (info.beforeRequest.length === 0 && info.fixed) info.built = sent;
      }
      requestParams.url = sent.url;
    }
    const { response, hook } = await this.send(sent, context, info.readsResponse);
    if (response.status === 0) {
      requestParams ??= { ...this.requestParams(params, info), url: sent.url };
      for (const name of asList(scenario.onError)) {
        const fn = this.hook(name, context);
        if (fn) await callHook(fn, [new Error(response.error), requestParams, context, this.events]);
      }
      const error = new ScenarioFailure(response.error ?? 'request failed');
      (error as { code?: string }).code = response.outcome;
      throw error;
    }
    if (!hook) return;
    const failedCapture = captureInto(params, hook, context);
    for (const name of [...asList(scenario.afterResponse), ...asList(params.afterResponse)]) {
      const fn = this.hook(name, context);
      if (fn) await callHook(fn, [requestParams as Obj, hook, context, this.events]);
    }
    this.metrics.afterResponse(hook, sent.name);
    if (this.metrics.expectEnabled && params.expect !== undefined)
      expectations(asList(params.expect), hook, context, this.metrics);
    if (failedCapture) throw new ScenarioFailure('Failed capture or match');
  }

  private requestParams(params: Obj, info: StepInfo): Obj {
    return { ...params, url: params.url ?? params.uri, method: info.method, timeout: info.timeoutMs };
  }

  private readonly steps_ = new WeakMap<Obj, StepInfo>();

  /** What does not change between two runs of a request step: its hooks, timeout, whether it has templates. */
  private stepInfo(method: string, params: Obj, scenario: Obj): StepInfo {
    let info = this.steps_.get(params);
    if (!info) {
      const config = this.script.config;
      const timeoutS = Number(config.timeout ?? (isObj(config.http) ? config.http.timeout : undefined) ?? 10);
      const templated = JSON.stringify([params, config.http, config.defaults]).includes('{{');
      info = {
        method: method.toUpperCase(),
        timeoutMs: timeoutS * 1000,
        beforeRequest: [...asList(scenario.beforeRequest), ...asList(params.beforeRequest)],
        fixed: !templated && params.cookie === undefined && params.formData === undefined,
        built: undefined,
        readsResponse: this.readsResponse(scenario, params),
        hooked: false,
      };
      info.hooked =
        info.beforeRequest.length > 0 ||
        scenario.afterResponse !== undefined ||
        params.afterResponse !== undefined;
      this.steps_.set(params, info);
    }
    return info;
  }

  /** Whether anything looks at this response (captures, hooks, expect, the per-response plugins). */
  private readsResponse(scenario: Obj, params: Obj): boolean {
    return (
      params.capture !== undefined ||
      params.match !== undefined ||
      params.afterResponse !== undefined ||
      scenario.afterResponse !== undefined ||
      (this.metrics.expectEnabled && params.expect !== undefined) ||
      this.metrics.perResponse
    );
  }

  private condition(expression: unknown, context: ArtilleryContext): boolean {
    const fn = this.processor[String(expression)];
    try {
      const result = fn
        ? fn(context.vars)
        : evaluate(String(expression), (name) => getPath(context.vars, name));
      return Boolean(result);
    } catch {
      return true; // Artillery proceeds when an ifTrue expression cannot be evaluated.
    }
  }

  /** Sends the request, following redirects as got does for Artillery: one logical request, timed end to end. */
  private async send(
    sent: BuiltRequest,
    context: ArtilleryContext,
    wanted: boolean,
  ): Promise<{ response: LoadResponse; hook: HookResponse | undefined }> {
    const vu = context.vu;
    const startAt = vu.intendedStartAt ?? vu.now();
    vu.intendedStartAt = undefined;
    let url = sent.url;
    let method = sent.method;
    let body = sent.body;
    let response: LoadResponse | undefined;
    for (let hop = 0; hop <= 10; hop++) {
      let headers = sent.headers;
      if (!context._jar.empty) {
        const cookies = context._jar.matching(new URL(url), Date.now());
        if (cookies.length > 0)
          headers = { ...headers, cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') };
      }
      response = await vu.client.request({
        method,
        url,
        headers,
        ...(body !== undefined ? { body } : {}),
        wantBody: wanted,
        timeoutMs: sent.timeoutMs,
        startAt: hop === 0 ? startAt : vu.now(),
      });
      const setCookies = response.setCookies;
      if (setCookies.length > 0) context._jar.storeFromResponse(setCookies, new URL(url), Date.now());
      const redirect =
        sent.follow && response.status >= 301 && response.status <= 308 && response.status !== 304;
      const location = redirect ? response.headers.location : undefined;
      if (!location) break;
      url = new URL(location, url).toString();
      if (response.status !== 307 && response.status !== 308) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
      }
    }
    const final = response as LoadResponse;
    const durationMs = vu.now() - startAt;
    // Until the final response's first byte, from the first request's (intended) start.
    const untilFirstByte = final.status ? durationMs - (final.durationMs - final.waitingMs) : durationMs;
    vu.metrics.request({
      status: final.status,
      outcome: final.outcome,
      bytesIn: final.bytesIn,
      bytesOut: final.bytesOut,
      waitingMs: untilFirstByte,
      durationMs,
    });
    if (!wanted) return { response: final, hook: undefined };
    const headers: Record<string, string | string[]> = {};
    for (const [n, v] of final.headerPairs) {
      const key = n.toLowerCase();
      if (key === 'set-cookie') headers[key] = [...asList(headers[key]).map(String), v];
      else headers[key] = v;
    }
    const hook: HookResponse = {
      statusCode: final.status,
      headers,
      body: final.body,
      url,
      timings: { phases: { firstByte: final.waitingMs, total: durationMs } },
    };
    return { response: final, hook };
  }
}
