export * from './config.js';
export { startBridge, routesOf, type Bridge, type StartBridgeOptions } from './bridge.service.js';
export {
  defaultMappingsFile,
  loadMappingsFile,
  parseMappings,
  MappingConfigError,
  type MappingsFile,
} from './mappings/mapping.config.js';
export { originOf, deadLetterHeaders, upstreamOriginHeader } from './pipe/forward.plan.js';
