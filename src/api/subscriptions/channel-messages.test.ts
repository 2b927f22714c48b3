import { describe, expect, it } from 'vitest';
import { parseClientMessage, serverMessage } from './channel-messages.ts';

describe('websocket channel messages', () => {
  it('reads bearer, bind and unbind', () => {
    expect(parseClientMessage('bearer abc.def-ghi_')).toEqual({ kind: 'bearer', token: 'abc.def-ghi_' });
    expect(parseClientMessage(' bind 0193a-b.c \n')).toEqual({ kind: 'bind', id: '0193a-b.c' });
    expect(parseClientMessage('unbind s1')).toEqual({ kind: 'unbind', id: 's1' });
  });

  it.each(['bind', 'bind a/b', 'bearer', 'bearer a b', 'ping s1', 'BIND s1', ''])('refuses %j', (text) => {
    expect(parseClientMessage(text).kind).toBe('invalid');
  });

  it('writes errors on one line', () => {
    expect(serverMessage.error(401, 'The token\nexpired')).toBe('error 401 The token expired');
  });
});
