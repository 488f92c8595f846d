// @fastify/http-proxy in front of the upstream (benchmark process): the Node proxy fleetproof is measured against.
import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
await app.register(proxy, { upstream: `http://127.0.0.1:${process.env.UPSTREAM_PORT}` });
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
