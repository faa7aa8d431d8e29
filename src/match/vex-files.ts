// Which files of an image are OpenVEX documents, apart from the parser so that a scan loads the
// validator (ajv) only when the image or the command line has a document.
import type { FileCollector } from '../catalog/collect.ts';

/** Docker Scout reads OpenVEX documents named `*.vex.json` anywhere in the image's final filesystem. */
export const VEX_FILE_COLLECTOR: FileCollector = {
  id: 'openvex-files',
  version: 1,
  wants: (path) => path.endsWith('.vex.json'),
  maxFileBytes: 4 * 1024 * 1024,
};
