import { describe, expect, it } from 'vitest';
import { scriptNodeArgs } from './service.process.js';

describe('scriptNodeArgs', () => {
  it("gives the Node flags of the script that runs an entry, as production's start does", () => {
    // core-api serves with a larger young generation and GC on its own threads only (bench:ml).
    expect(scriptNodeArgs('core-api/src/main.ts')).toEqual([
      '--max-semi-space-size=64',
      '--single-threaded-gc',
    ]);
    expect(scriptNodeArgs('bridge/src/main.ts')).toEqual([]);
  });

  it('refuses an entry no script runs, rather than starting it with other flags', () => {
    expect(() => scriptNodeArgs('core-api/src/nowhere.ts')).toThrow(/no script in package.json/);
  });
});
