import { describe, expect, it } from 'vitest';
import { AwsApiError } from './aws-error.js';
import { memberList, memberStructs, parseQuery, queryError, queryResponse, toXml } from './query-xml.js';

describe('the Query protocol', () => {
  it('reads lists and structures of lists as the SDKs encode them', () => {
    const p = parseQuery(
      'Action=DescribeTargetHealth&Version=2015-12-01&Targets.member.1.Id=i-1&Targets.member.1.Port=80&Targets.member.2.Id=i-2&Names.member.1=a&Names.member.2=b%20c',
    );
    expect(memberList(p, 'Names')).toEqual(['a', 'b c']);
    expect(memberStructs(p, 'Targets')).toEqual([{ Id: 'i-1', Port: '80' }, { Id: 'i-2' }]);
    expect(memberList(p, 'Missing')).toEqual([]);
  });

  it('writes results with members, escaped text and ISO dates; actions without a result have none', () => {
    expect(
      toXml({ A: [{ B: 'x<&>' }, { B: 2 }], C: new Date(Date.UTC(2026, 0, 2)), D: undefined, E: false }),
    ).toBe(
      '<A><member><B>x&lt;&amp;&gt;</B></member><member><B>2</B></member></A><C>2026-01-02T00:00:00.000Z</C><E>false</E>',
    );
    expect(queryResponse('SetDesiredCapacity', 'ns', undefined, 'r1')).toContain(
      '<SetDesiredCapacityResponse xmlns="ns"><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></SetDesiredCapacityResponse>',
    );
    expect(queryResponse('X', 'ns', { Y: 1 }, 'r')).toContain('<XResult><Y>1</Y></XResult>');
  });

  it('writes AWS’s error XML', () => {
    expect(queryError(new AwsApiError('ValidationError', 'bad "x"'), 'ns', 'r2')).toContain(
      '<ErrorResponse xmlns="ns"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>bad &quot;x&quot;</Message></Error><RequestId>r2</RequestId></ErrorResponse>',
    );
  });
});
