import { randomInt } from 'node:crypto';
import { isPortFree } from '../util/free-port.js';

/**
 * Where instances listen. On Linux every 127.x.y.z address reaches the loopback interface, so each instance
 * gets its own address and the service's own port, as EC2 instances share a port on different IPs.
 * Elsewhere (macOS routes only 127.0.0.1 by default) instances share 127.0.0.1 on consecutive ports.
 * Each fleet takes its own block (127.0.<block>.x, or a port range), picked at random and checked free, so
 * two fleets on one machine (a demo and a test run) do not collide.
 */
export class AddressAllocator {
  private next = 0;

  private constructor(
    private readonly servicePort: number,
    readonly perInstanceAddress: boolean,
    private readonly block: number,
  ) {}

  static async create(
    servicePort: number,
    platform: NodeJS.Platform = process.platform,
  ): Promise<AddressAllocator> {
    const perInstanceAddress = platform === 'linux';
    for (let attempt = 0; attempt < 20; attempt++) {
      // Blocks 1–250: never 127.0.0.x, where the balancer and the database listen.
      const block = perInstanceAddress ? randomInt(1, 251) : randomInt(0, 50);
      const allocator = new AddressAllocator(servicePort, perInstanceAddress, block);
      const first = allocator.peek();
      if (await isPortFree(first.port, first.host)) return allocator;
    }
    return new AddressAllocator(servicePort, perInstanceAddress, 1);
  }

  allocate(): { host: string; port: number } {
    const address = this.peek();
    this.next += 1;
    return address;
  }

  private peek(): { host: string; port: number } {
    if (!this.perInstanceAddress)
      return { host: '127.0.0.1', port: this.servicePort + 1 + this.block * 100 + (this.next % 100) };
    const third = 1 + ((this.block - 1 + Math.floor(this.next / 254)) % 250);
    return { host: `127.0.${third}.${1 + (this.next % 254)}`, port: this.servicePort };
  }
}
