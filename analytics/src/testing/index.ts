export { openTestStore, uniqueDatabase, type StoreKind, type TestStore } from './test-stores.js';
