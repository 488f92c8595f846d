import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { FleetError } from '../errors.js';
import { isPortFree } from '../util/free-port.js';

/** How instances get a network identity of their own (see the config's instance.network). */
export interface NetworkSupport {
  readonly kind: 'namespace' | 'ports';
  /** A sentence for the user: what was chosen, and why when it is not a namespace. */
  readonly description: string;
}

/** Where one instance listens, and (in namespace mode) the link that reaches it. */
export interface InstanceAddress {
  /** The address the balancer and health checks reach, and HOST for the service. */
  readonly host: string;
  readonly port: number;
  readonly namespace?: {
    readonly name: string;
    readonly hostVeth: string;
    readonly instanceVeth: string;
    /** The host's side of the link (the namespace's default route, and where its database relay connects). */
    readonly hostAddress: string;
  };
}

/**
 * Namespace mode needs root, Linux and a working `ip netns`; `auto` falls back to distinct ports on 127.0.0.1
 * (any service that honours PORT runs N copies that way, whatever address it binds).
 */
export function detectNetwork(wanted: 'auto' | 'namespace' | 'ports'): NetworkSupport {
  if (wanted === 'ports')
    return { kind: 'ports', description: 'distinct ports on 127.0.0.1 (instance.network: ports)' };
  const why = namespaceUnavailable();
  if (why === undefined)
    return {
      kind: 'namespace',
      description:
        'a network namespace per instance (own address, same port; the database at 127.0.0.1:5432 inside)',
    };
  if (wanted === 'namespace')
    throw new FleetError(
      'FLEET_ERR_CONFIG',
      `instance.network: got "namespace", but ${why}; expected auto or ports here`,
    );
  return {
    kind: 'ports',
    description: `distinct ports on 127.0.0.1 through PORT (no network namespaces: ${why})`,
  };
}

function namespaceUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `${process.platform} has no network namespaces`;
  if (process.getuid?.() !== 0) return 'not running as root';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore', timeout: 5000 });
  } catch {
    return '`ip netns` is not available (Debian: apt-get install iproute2)';
  }
  return undefined;
}

// 198.18.0.0/15 is set aside for network tests (RFC 2544): 32768 /30 links, none of them routed anywhere.
const LINKS = 32768;

/**
 * Hands out instance addresses. Namespace mode: link n is 198.18.0.0 + 4n, the host's side .1 and the
 * instance's .2, so instances share the service's port on addresses of their own as EC2 instances do.
 * Ports mode: 127.0.0.1 and consecutive ports from a block picked at random. Each fleet starts at a random
 * place and skips what another fleet on this machine holds.
 */
export class AddressAllocator {
  private next = 0;

  private constructor(
    private readonly servicePort: number,
    readonly network: NetworkSupport,
    private readonly start: number,
  ) {}

  static async create(servicePort: number, network: NetworkSupport): Promise<AddressAllocator> {
    if (network.kind === 'namespace') return new AddressAllocator(servicePort, network, randomInt(0, LINKS));
    for (let attempt = 0; attempt < 20; attempt++) {
      const allocator = new AddressAllocator(servicePort, network, randomInt(0, 50));
      const first = allocator.portAt(0);
      if (await isPortFree(first, '127.0.0.1')) return allocator;
    }
    return new AddressAllocator(servicePort, network, 0);
  }

  allocate(): InstanceAddress {
    if (this.network.kind === 'ports') {
      const port = this.portAt(this.next);
      this.next += 1;
      return { host: '127.0.0.1', port };
    }
    for (let tries = 0; tries < LINKS; tries++) {
      const link = (this.start + this.next) % LINKS;
      this.next += 1;
      const name = `fpn${link}`;
      const hostVeth = `fph${link}`;
      if (existsSync(`/run/netns/${name}`) || existsSync(`/sys/class/net/${hostVeth}`)) continue;
      const base = 198 * 2 ** 24 + 18 * 2 ** 16 + link * 4;
      return {
        host: ipv4(base + 2),
        port: this.servicePort,
        namespace: { name, hostVeth, instanceVeth: `fpi${link}`, hostAddress: ipv4(base + 1) },
      };
    }
    throw new Error('no free network link for another instance');
  }

  private portAt(n: number): number {
    return this.servicePort + 1 + this.start * 100 + (n % 100);
  }
}

function ipv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}
