import type { InstanceAddress } from './addresses.js';

export interface NamespaceScriptInput {
  readonly cgroupProcs: readonly string[];
  readonly namespace: InstanceAddress['namespace'];
  readonly instanceAddress: string;
  readonly dbRelay: { readonly node: string; readonly main: string; readonly port: number } | undefined;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The shell the instance's first process runs before exec'ing the service (`"$@"`): make the network
 * namespace and its link, start the database relay inside it, join the cgroups (so the service and all it
 * forks are confined from the first instruction), then exec the service inside the namespace. Done in the child, so the
 * balancer's event loop never waits on `ip`. undefined when there is nothing to do.
 */
export function namespaceScript(input: NamespaceScriptInput): string | undefined {
  const join =
    input.cgroupProcs.length > 0
      ? [`for f in ${input.cgroupProcs.map(q).join(' ')}; do echo $$ > "$f"; done`]
      : [];
  const ns = input.namespace;
  if (!ns) return join.length > 0 ? [...join, 'exec "$@"'].join('\n') : undefined;
  const lines: string[] = [];
  const name = q(ns.name);
  // `ip netns exec` mounts /etc/netns/<name>/* over /etc: the namespace has no route to a DNS server, so
  // lookups must fail at once (a resolver on 127.0.0.1 that refuses) and the instance's own address must be
  // in hosts. Python's HTTPServer, for one, looks up its address's name before it listens.
  const etc = q(`/etc/netns/${ns.name}`);
  lines.push(
    'set -e',
    `mkdir -p ${etc}`,
    `printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > ${etc}/resolv.conf`,
    `{ cat /etc/hosts 2>/dev/null; echo '${input.instanceAddress} fleetproof-instance'; } > ${etc}/hosts`,
    `ip netns add ${name}`,
    `ip link add ${q(ns.hostVeth)} type veth peer name ${q(ns.instanceVeth)}`,
    `ip link set ${q(ns.instanceVeth)} netns ${name}`,
    `ip addr add ${ns.hostAddress}/30 dev ${q(ns.hostVeth)}`,
    `ip link set ${q(ns.hostVeth)} up`,
    `ip -n ${name} link set lo up`,
    `ip -n ${name} addr add ${input.instanceAddress}/30 dev ${q(ns.instanceVeth)}`,
    `ip -n ${name} link set ${q(ns.instanceVeth)} up`,
    `ip -n ${name} route add default via ${ns.hostAddress}`,
  );
  if (input.dbRelay) {
    const r = input.dbRelay;
    lines.push(
      `ip netns exec ${name} ${q(r.node)} ${q(r.main)} 127.0.0.1 ${r.port} ${ns.hostAddress} ${r.port} &`,
    );
  }
  // The relay starts before the cgroups are joined: its CPU is fleetproof's, not the instance's (it would
  // otherwise lift a blocked single thread's 50% of two vCPUs over a 50% target).
  lines.push(...join, 'set +e', `exec ip netns exec ${name} "$@"`);
  return lines.join('\n');
}
