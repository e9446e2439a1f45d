// The cluster's public surface, re-exported by the package entry in one line.
export {
  type Bus,
  type BusHandler,
  type BusMeta,
  type BusPayload,
  type BusStats,
  type BusSubscription,
  type EventPayload,
  type MessagePayload,
  MAX_BUS_PAYLOAD_BYTES,
  CLUSTER_TOPIC,
  conversationTopic,
  roomTopic,
  userTopic,
} from './bus.ts';
export { LocalBus, LocalBusNetwork, type LocalBusOptions } from './local-bus.ts';
export { NatsBus, openNatsBus, type NatsBusOptions, type NatsBusStats } from './nats-bus.ts';
export { topicSubject, subjectTopic } from './bus-subject.ts';
