import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUTOSCALING_ACTIONS, AUTOSCALING_NAMESPACE } from './autoscaling-actions.js';
import { AwsApiError } from './aws-error.js';
import { CLOUDWATCH_ACTIONS, CLOUDWATCH_NAMESPACE } from './cloudwatch-actions.js';
import { ELBV2_ACTIONS, ELBV2_NAMESPACE } from './elbv2-actions.js';
import { jsonToQuery, xmlValueToJson } from './json-query-bridge.js';
import type { Action, LocalAws } from './local-aws.js';
import { parseQuery, queryError, queryResponse } from './query-xml.js';
import { checkSignature } from './sigv4-check.js';
import {
  CLOUDFORMATION_NAMESPACE,
  cloudFormationActions,
  STS_ACTIONS,
  STS_NAMESPACE,
  ssmAction,
} from './stack-actions.js';

/** A Query-protocol service: its API version, XML namespace and actions, chosen by the signing name. */
interface QueryService {
  readonly version: string;
  readonly namespace: string;
  readonly actions: Record<string, Action>;
}

const MAX_BODY = 1024 * 1024;
/** CloudWatch's JSON target prefix (its Smithy service name). */
const CLOUDWATCH_JSON_PREFIX = 'GraniteServiceVersion20100801.';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY)
        reject(new AwsApiError('RequestEntityTooLarge', 'Request body is larger than 1 MiB', 413));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The local fleet behind an AWS-compatible endpoint on loopback: Auto Scaling, ELBv2 and CloudWatch in the
 * Query protocol (and what `fleetproof aws deploy` reads: STS, CloudFormation, SSM), so the aws CLI and the
 * SDKs, pointed at it with --endpoint-url, drive the real fleet.
 */
export class AwsEndpoint {
  private readonly server: Server;
  private readonly services: Record<string, QueryService>;

  constructor(
    private readonly aws: LocalAws,
    listenerUrl: string,
    private readonly now: () => number = Date.now,
  ) {
    this.services = {
      autoscaling: { version: '2011-01-01', namespace: AUTOSCALING_NAMESPACE, actions: AUTOSCALING_ACTIONS },
      elasticloadbalancing: { version: '2015-12-01', namespace: ELBV2_NAMESPACE, actions: ELBV2_ACTIONS },
      monitoring: { version: '2010-08-01', namespace: CLOUDWATCH_NAMESPACE, actions: CLOUDWATCH_ACTIONS },
      cloudformation: {
        version: '2010-05-15',
        namespace: CLOUDFORMATION_NAMESPACE,
        actions: cloudFormationActions(listenerUrl),
      },
      sts: { version: '2011-06-15', namespace: STS_NAMESPACE, actions: STS_ACTIONS },
    };
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const headers = req.headers as Record<string, string | undefined>;
    const target = headers['x-amz-target'] ?? '';
    // AWS JSON (1.1 for SSM, 1.0 for CloudWatch's SDK clients) is told by its X-Amz-Target; else Query.
    const json = target.startsWith('AmazonSSM.')
      ? '1.1'
      : target.startsWith(CLOUDWATCH_JSON_PREFIX)
        ? '1.0'
        : undefined;
    let namespace = AUTOSCALING_NAMESPACE;
    try {
      const body = await readBody(req);
      const scope = checkSignature(headers, this.now());
      if (json) {
        const input = JSON.parse(body || '{}') as Record<string, unknown>;
        const result =
          json === '1.1' ? ssmAction(target, input, this.aws) : await this.cloudWatchJson(target, input);
        res.writeHead(200, {
          'content-type': `application/x-amz-json-${json}`,
          'x-amzn-requestid': requestId,
        });
        res.end(JSON.stringify(result));
        return;
      }
      const service = this.services[scope.service];
      if (!service)
        throw new AwsApiError(
          'InvalidAction',
          `fleetproof's local endpoint does not serve '${scope.service}' (it serves ${[...Object.keys(this.services), 'ssm'].join(', ')})`,
        );
      namespace = service.namespace;
      const params = parseQuery(body || new URL(req.url ?? '/', 'http://x').search.slice(1));
      const action = params.get('Action');
      if (!action) throw new AwsApiError('MissingAction', 'Missing Action');
      const handler = Object.hasOwn(service.actions, action) ? service.actions[action] : undefined;
      if (!handler || params.get('Version') !== service.version)
        throw new AwsApiError(
          'InvalidAction',
          `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`,
        );
      const result = await handler(params, this.aws);
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(queryResponse(action, service.namespace, result, requestId));
    } catch (error) {
      const e =
        error instanceof AwsApiError
          ? error
          : new AwsApiError('InternalFailure', (error as Error).message, 500, 'Receiver');
      if (json) {
        // awsQueryCompatible: the SDK takes the Query error code from this header.
        res.writeHead(e.status, {
          'content-type': `application/x-amz-json-${json}`,
          'x-amzn-requestid': requestId,
          'x-amzn-query-error': `${e.code};${e.type}`,
        });
        res.end(
          JSON.stringify({
            __type: json === '1.0' ? `com.amazonaws.cloudwatch#${e.code}Exception` : e.code,
            message: e.message,
          }),
        );
        return;
      }
      res.writeHead(e.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(queryError(e, namespace, requestId));
    }
  }

  private async cloudWatchJson(target: string, input: Record<string, unknown>): Promise<unknown> {
    const action = target.slice(CLOUDWATCH_JSON_PREFIX.length);
    const handler = Object.hasOwn(CLOUDWATCH_ACTIONS, action) ? CLOUDWATCH_ACTIONS[action] : undefined;
    if (!handler)
      throw new AwsApiError(
        'UnknownOperationException',
        `fleetproof's local endpoint does not emulate ${target}`,
      );
    const params = new Map(jsonToQuery(input));
    params.set('Action', action);
    return xmlValueToJson((await handler(params, this.aws)) ?? {});
  }
}
