import type { IncomingMessage } from 'node:http';
import { isLocalOrigin, isLoopbackAddress, refuse } from '../../src/board/guard';

/** A request as the guard sees it: the socket's address and the headers. */
const request = (remoteAddress: string | undefined, origin?: string) =>
  ({ socket: { remoteAddress }, headers: origin ? { origin } : {} }) as unknown as IncomingMessage;

test.each(['127.0.0.1', '127.8.0.2', '::1', '::ffff:127.0.0.1'])('%s is loopback', (address) => {
  expect(isLoopbackAddress(address)).toBe(true);
});

test.each(['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', 'fe80::1', '', undefined, '1270.0.0.1'])(
  '%s is not loopback',
  (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  },
);

test('a client from another machine may neither read nor change the system', () => {
  expect(refuse(request('192.168.1.20'), 'kill a replica')).toEqual({
    status: 403,
    message: 'only a client on this machine may kill a replica, not 192.168.1.20',
  });
  expect(refuse(request('::ffff:10.1.2.3'), 'read the delivery board')?.status).toBe(403);
});

test('a page served from elsewhere, open in a local browser, is refused', () => {
  expect(refuse(request('127.0.0.1', 'https://evil.example'), 'kill a replica')).toEqual({
    status: 403,
    message: 'a page from https://evil.example may not kill a replica',
  });
  expect(isLocalOrigin('null')).toBe(false);
});

test('curl on this machine, and the guide on another local port, are let through', () => {
  expect(refuse(request('127.0.0.1'), 'kill a replica')).toBeUndefined();
  expect(refuse(request('::1', 'http://localhost:5173'), 'kill a replica')).toBeUndefined();
  expect(refuse(request('127.0.0.1', 'http://127.0.0.1:41234'), 'read the delivery board')).toBeUndefined();
});
