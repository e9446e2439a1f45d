export { ParleyClient, type ClientOptions, type ServerLimits } from './client.ts';
export { ParleyClientError, type LocalErrorKind } from './errors.ts';
export { parseServerUrl, type ServerUrl, type ServerScheme } from './url.ts';
export { ServerRotation } from './server-rotation.ts';
export { webSocketTransport, type WebSocketConstructor, type WebSocketLike } from './ws-transport.ts';
export type { Transport, TransportFactory } from './transport.ts';
export type { ClientEvents, ClientEvent, ClientState, StateChange, Credentials, DeviceCredential, Identity } from './types.ts';
export { Backoff } from './backoff.ts';
export { replyLines, describeModes, userInfoLines } from './reply-lines.ts';
