/**
 * Where instances listen. On Linux every 127.x.y.z address reaches the loopback interface, so each instance
 * gets its own address and the service's own port, as EC2 instances share a port on different IPs.
 * Elsewhere (macOS routes only 127.0.0.1 by default) instances share 127.0.0.1 on consecutive ports.
 */
export class AddressAllocator {
  private next = 0;
  readonly perInstanceAddress: boolean;

  constructor(
    private readonly servicePort: number,
    platform: NodeJS.Platform = process.platform,
  ) {
    this.perInstanceAddress = platform === 'linux';
  }

  allocate(): { host: string; port: number } {
    const n = this.next++;
    if (!this.perInstanceAddress) return { host: '127.0.0.1', port: this.servicePort + 1 + n };
    // 127.0.1.1, 127.0.1.2, … 127.0.1.254, 127.0.2.1, …: never 127.0.0.x, where the balancer and database are.
    const third = 1 + Math.floor(n / 254);
    const fourth = 1 + (n % 254);
    return { host: `127.0.${third % 256}.${fourth}`, port: this.servicePort };
  }
}
