import { searchIndexContract } from '../query/search-index.contract.js';
import { EmbeddedSearchIndex } from './embedded.index.js';

searchIndexContract('embedded', async ({ now }) => ({
  index: new EmbeddedSearchIndex({ now }),
  close: async () => {},
}));
