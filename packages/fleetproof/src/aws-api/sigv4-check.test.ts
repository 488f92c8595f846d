import { describe, expect, it } from 'vitest';
import { AwsApiError } from './aws-error.js';
import { checkSignature } from './sigv4-check.js';

const now = Date.UTC(2026, 11, 3, 10, 30, 0);
const signature = 'a'.repeat(64);
const auth = (credential: string, signed = 'content-type;host;x-amz-date', sig = signature) =>
  `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signed}, Signature=${sig}`;
const good = {
  authorization: auth('AKIDLOCAL/20261203/eu-west-1/autoscaling/aws4_request'),
  'x-amz-date': '20261203T103000Z',
};

function codeOf(headers: Record<string, string | undefined>): [string, number] {
  try {
    checkSignature(headers, now);
    return ['ok', 200];
  } catch (error) {
    const e = error as AwsApiError;
    return [e.code, e.status];
  }
}

describe('checkSignature: a well-formed SigV4 Authorization header, AWS’s codes when not', () => {
  it('reads the credential scope of a well-formed request, any access key', () => {
    expect(checkSignature(good, now)).toEqual({
      accessKeyId: 'AKIDLOCAL',
      date: '20261203',
      region: 'eu-west-1',
      service: 'autoscaling',
    });
  });

  it.each<[string, Record<string, string | undefined>, string, number]>([
    ['unsigned', { 'x-amz-date': '20261203T103000Z' }, 'MissingAuthenticationToken', 403],
    ['another algorithm', { ...good, authorization: 'AWS AKID:abc' }, 'IncompleteSignature', 400],
    [
      'no Signature',
      {
        ...good,
        authorization: 'AWS4-HMAC-SHA256 Credential=A/20261203/r/s/aws4_request, SignedHeaders=host',
      },
      'IncompleteSignature',
      400,
    ],
    ['no X-Amz-Date', { authorization: good.authorization }, 'IncompleteSignature', 400],
    [
      'a date not in basic format',
      { ...good, 'x-amz-date': '2026-12-03T10:30:00Z' },
      'IncompleteSignature',
      400,
    ],
    [
      'a short scope',
      { ...good, authorization: auth('AKID/20261203/autoscaling/aws4_request') },
      'IncompleteSignature',
      400,
    ],
    [
      'a wrong terminator',
      { ...good, authorization: auth('AKID/20261203/eu-west-1/autoscaling/aws5_request') },
      'IncompleteSignature',
      400,
    ],
    [
      'a scope of another day',
      { ...good, authorization: auth('AKID/20261202/eu-west-1/autoscaling/aws4_request') },
      'SignatureDoesNotMatch',
      403,
    ],
    [
      'host not signed',
      { ...good, authorization: auth('AKID/20261203/eu-west-1/autoscaling/aws4_request', 'x-amz-date') },
      'IncompleteSignature',
      400,
    ],
    [
      'a signature that is not 64 hex',
      {
        ...good,
        authorization: auth('AKID/20261203/eu-west-1/autoscaling/aws4_request', 'host;x-amz-date', 'xyz'),
      },
      'SignatureDoesNotMatch',
      403,
    ],
    ['signed 20 minutes ago', { ...good, 'x-amz-date': '20261203T101000Z' }, 'SignatureDoesNotMatch', 403],
  ])('%s → %s', (_, headers, code, status) => expect(codeOf(headers)).toEqual([code, status]));
});
