import { decodeFrame, encodeFrame, type ServerFrame } from '@parley/protocol';
import { FrameQueue, type Transport, type TransportFactory } from './transport.ts';

/**
 * An event handler slot. Declared through a method so its parameter is checked bivariantly: the
 * DOM types `onmessage` as `(ev: MessageEvent) => any`, which a plain `(event: { data: unknown })
 * => void` slot would refuse under strictFunctionTypes, so `webSocketTransport(WebSocket)` would
 * not compile in a browser project.
 */
type Handler<TEvent> = { bivarianceHack(event: TEvent): void }['bivarianceHack'];

/** The part of the WebSocket API the SDK uses: the browser's global and the `ws` package both fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * JSON text frames over any WebSocket implementation (browser global, or `ws` in Node). With
 * `compress`, the URL asks for compression (`?compress=deflate`): the server then accepts the
 * permessage-deflate a browser offers on every handshake (and `ws` when told to), and the
 * hello reply says whether it was negotiated.
 */
export function webSocketTransport(WebSocketImpl: WebSocketConstructor): TransportFactory {
  return (url, options = {}) =>
    new Promise<Transport>((resolve, reject) => {
      const hostPart = url.host.includes(':') ? `[${url.host}]` : url.host;
      const socket = new WebSocketImpl(`${url.scheme}://${hostPart}:${url.port}${url.path}${options.compress ? '?compress=deflate' : ''}`);
      socket.binaryType = 'arraybuffer';
      const queue = new FrameQueue();
      let opened = false;
      socket.onopen = () => {
        opened = true;
        resolve({
          [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
          send: (frame) => {
            if (socket.readyState === 1) socket.send(new TextDecoder().decode(encodeFrame('json', frame)));
          },
          close: () => socket.close(1000, 'bye'),
          compresses: true,
        });
      };
      socket.onmessage = (event) => {
        if (typeof event.data !== 'string') return;
        try {
          queue.push(decodeFrame('json', new TextEncoder().encode(event.data)) as unknown as ServerFrame);
        } catch {
          socket.close(1002, 'undecodable frame');
        }
      };
      socket.onerror = () => {
        if (!opened) reject(new Error(`WebSocket connection to ${url.href} failed`));
      };
      socket.onclose = () => {
        if (!opened) reject(new Error(`WebSocket connection to ${url.href} closed`));
        queue.end();
      };
    });
}
