// Every cataloger, in one list: a new ecosystem is one import and one entry here.
import type { Cataloger } from './cataloger.ts';

export const CATALOGERS: readonly Cataloger[] = [
  // [os-packages]
  // [rpm]
  // [language-packages]
  // [binaries]
];
