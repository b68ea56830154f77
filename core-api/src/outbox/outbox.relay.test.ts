import { relaySpec } from './outbox.relay.spec.js';

relaySpec({
  backend: 'pglite',
  openLog: async (api) => ({
    log: api.natsLog,
    subjectPrefix: 'platform',
    close: async () => undefined,
  }),
});
