export * from './message-log.port.js';
export * from './memory.adapter.js';
export * from './nats.adapter.js';
export * from './kafka.adapter.js';
export * from './kafka-lag.probe.js';
export * from './kafka-publisher.thread.js';
