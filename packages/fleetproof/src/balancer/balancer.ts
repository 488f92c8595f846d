import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../clock.js';
import { BalancerCounters } from './balancer-counters.js';
import { rawElbError, sendElbError } from './elb-responses.js';
import { HealthChecker, type HealthCheckSettings } from './health-checker.js';
import { type ExchangeOwner, type FailureKind, ProxyExchange } from './proxy-exchange.js';
import { MAX_HEADERS_BYTES, prepareRequest } from './request-checks.js';
import { LeastOutstandingRequests, RoundRobin, type RoutingStrategy } from './routing.js';
import type { Target } from './target.js';
import { type HealthThresholds, TargetGroup } from './target-group.js';

export interface BalancerOptions {
  readonly clock: Clock;
  readonly host: string;
  readonly port: number;
  readonly algorithm: 'round_robin' | 'least_outstanding_requests';
  readonly slowStartMs: number;
  readonly healthCheck: HealthCheckSettings;
  readonly thresholds: HealthThresholds;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly deregistrationDelayMs: number;
  readonly retryIdempotentOnce: boolean;
  readonly outlierEjection?: { consecutiveErrors: number; ejectMs: number } | undefined;
}

type ClientSocket = Socket & { [CURRENT]?: ProxyExchange; [WATCHED]?: true };
const CURRENT = Symbol('current exchange');
const WATCHED = Symbol('close watched');

/**
 * A client can abandon an HTTP/1.1 request only by closing its connection, so one listener per connection
 * (not one closure per request) notices it: ALB's 460.
 */
function watchClientSocket(socket: ClientSocket, exchange: ProxyExchange): void {
  socket[CURRENT] = exchange;
  if (socket[WATCHED]) return;
  socket[WATCHED] = true;
  socket.once('close', onClientSocketClose);
}

function onClientSocketClose(this: ClientSocket): void {
  const exchange = this[CURRENT];
  this[CURRENT] = undefined;
  if (exchange && !exchange.res.writableFinished) exchange.clientClosed();
}

/**
 * The local Application Load Balancer: one HTTP/1.1 listener in front of a target group. See the ALB table
 * in shared/REFERENCE.md for every behaviour; the package README lists what differs.
 */
export class Balancer implements ExchangeOwner {
  readonly group: TargetGroup;
  readonly checker: HealthChecker;
  readonly counters = new BalancerCounters();
  readonly retryIdempotentOnce: boolean;
  private readonly strategy: RoutingStrategy;
  private readonly server: Server;
  private listeningPort = 0;
  /** The listener port as the X-Forwarded-Port value, formatted once. */
  private listeningPortText = '0';

  /** The target group's settings in force, shared by reference with the group and the checker. */
  private readonly live: {
    healthCheck: HealthCheckSettings;
    thresholds: HealthThresholds;
    timeouts: { connectTimeoutMs: number; idleTimeoutMs: number; deregistrationDelayMs: number };
  };

  constructor(private readonly options: BalancerOptions) {
    this.live = {
      healthCheck: { ...options.healthCheck },
      thresholds: { ...options.thresholds },
      timeouts: {
        connectTimeoutMs: options.connectTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        deregistrationDelayMs: options.deregistrationDelayMs,
      },
    };
    this.group = new TargetGroup(options.clock, this.live.thresholds, this.live.timeouts);
    this.checker = new HealthChecker(this.group, this.live.healthCheck);
    this.retryIdempotentOnce = options.retryIdempotentOnce;
    this.strategy =
      options.algorithm === 'least_outstanding_requests'
        ? new LeastOutstandingRequests()
        : new RoundRobin(options.slowStartMs);
    this.server = createServer(
      {
        maxHeaderSize: MAX_HEADERS_BYTES,
        // ALB's idle timeout on the client side: idle keep-alive connections close, and a client that sends
        // nothing (or a partial request) for that long gets 408.
        keepAliveTimeout: options.idleTimeoutMs,
        headersTimeout: options.idleTimeoutMs,
        requestTimeout: 0,
        connectionsCheckingInterval: Math.min(1000, options.idleTimeoutMs),
      },
      (req, res) => this.handle(req, res),
    );
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
      this.onClientError(error, socket),
    );
  }

  /** The target group's health check, thresholds and deregistration delay in force now. */
  targetGroupSettings(): {
    healthCheck: Readonly<HealthCheckSettings>;
    thresholds: Readonly<HealthThresholds>;
    deregistrationDelayMs: number;
    algorithm: BalancerOptions['algorithm'];
    slowStartMs: number;
    port: number;
  } {
    return {
      healthCheck: { ...this.live.healthCheck },
      thresholds: { ...this.live.thresholds },
      deregistrationDelayMs: this.live.timeouts.deregistrationDelayMs,
      algorithm: this.options.algorithm,
      slowStartMs: this.options.slowStartMs,
      port: this.listeningPort,
    };
  }

  /** ModifyTargetGroup / ModifyTargetGroupAttributes: what changes applies from the next check or drain. */
  modifyTargetGroup(change: {
    healthCheck?: Partial<HealthCheckSettings>;
    thresholds?: Partial<HealthThresholds>;
    deregistrationDelayMs?: number;
  }): void {
    if (change.thresholds) Object.assign(this.live.thresholds, change.thresholds);
    if (change.deregistrationDelayMs !== undefined)
      this.live.timeouts.deregistrationDelayMs = change.deregistrationDelayMs;
    if (change.healthCheck) this.checker.reconfigure(change.healthCheck);
  }

  get url(): string {
    return `http://${this.options.host}:${this.listeningPort}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    const address = this.server.address();
    this.listeningPort = typeof address === 'object' && address ? address.port : this.options.port;
    this.listeningPortText = String(this.listeningPort);
  }

  register(id: string, host: string, port: number): void {
    this.group.register(id, host, port);
    this.checker.watch(id);
  }

  deregister(id: string): Promise<void> {
    this.checker.unwatch(id);
    return this.group.deregister(id);
  }

  async stop(): Promise<void> {
    this.checker.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.group.close();
  }

  now(): number {
    return this.options.clock.now();
  }

  pickOther(except: Target): Target | undefined {
    const others = this.group.routable().filter((t) => t !== except);
    return this.strategy.pick(others, this.now());
  }

  finished(exchange: ProxyExchange, status: number, failure: FailureKind | undefined): void {
    const target = exchange.target;
    const elapsed = this.now() - exchange.startedAt;
    if (failure && failure !== 'client-closed' && !exchange.res.headersSent) {
      sendElbError(exchange.res, status);
      this.counters.elb(status);
    } else {
      this.counters.target(status);
    }
    target.requests += 1;
    target.completedTotal += 1;
    target.latency.record(elapsed);
    this.counters.latency.record(elapsed);
    const isError = status >= 500 || failure === 'connect' || failure === 'reset' || failure === 'timeout';
    if (isError) {
      target.errors += 1;
      const kind = failure && failure !== 'client-closed' ? failure : String(status);
      target.errorKinds[kind] = (target.errorKinds[kind] ?? 0) + 1;
    }
    this.observeOutlier(target, isError);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const now = this.now();
    const prepared = prepareRequest(req, this.listeningPortText, now);
    if ('status' in prepared) {
      this.counters.elb(prepared.status);
      sendElbError(res, prepared.status, true);
      req.socket.destroySoon();
      return;
    }
    const target = this.strategy.pick(this.group.routable(), now);
    if (!target) {
      // No registered target at all (fail-open already covers "registered but none healthy").
      this.counters.elb(503);
      sendElbError(res, 503);
      return;
    }
    const exchange = new ProxyExchange(this, req, res, target, prepared.headers, prepared.hasBody, now);
    watchClientSocket(req.socket as ClientSocket, exchange);
    exchange.start();
  }

  /** Requests Node's strict parser refused: smuggling attempts, malformed framing, header overflow, timeouts. */
  private onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    this.counters.elb(status);
    this.counters.rejected += 1;
    socket.end(rawElbError(status));
  }

  private observeOutlier(target: Target, isError: boolean): void {
    const policy = this.options.outlierEjection;
    if (!policy) return;
    target.consecutiveErrors = isError ? target.consecutiveErrors + 1 : 0;
    if (target.consecutiveErrors >= policy.consecutiveErrors && target.ejectedUntil <= this.now()) {
      target.ejectedUntil = this.now() + policy.ejectMs;
      target.consecutiveErrors = 0;
      this.group.rebuild();
      this.group.emit('ejected', { targetId: target.id, untilMs: target.ejectedUntil });
      setTimeout(() => this.group.rebuild(), policy.ejectMs + 1).unref();
    }
  }
}
