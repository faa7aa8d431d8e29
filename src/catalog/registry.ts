// Every cataloger, in one list: a new ecosystem is one import and one entry here.
import { apkCataloger } from './apk/cataloger.ts';
import type { Cataloger } from './cataloger.ts';
import { dotnetDepsCataloger } from './dotnet/deps-json.ts';
import { npmPackageCataloger } from './npm/package-json.ts';
import { composerInstalledCataloger } from './php/installed-json.ts';
import { pythonPackageCataloger } from './python/package-metadata.ts';
import { gemspecCataloger } from './ruby/gemspec.ts';
import { rpmdbCataloger } from './rpm/rpmdb.ts';
import { goBinaryCataloger } from './golang/binary.ts';
import { javaArchiveCataloger } from './java/archive.ts';
import { rustBinaryCataloger } from './rust/auditable.ts';
import { dpkgCataloger } from './dpkg/cataloger.ts';

export const CATALOGERS: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  rpmdbCataloger,
  npmPackageCataloger,
  pythonPackageCataloger,
  gemspecCataloger,
  composerInstalledCataloger,
  dotnetDepsCataloger,
  goBinaryCataloger,
  rustBinaryCataloger,
  javaArchiveCataloger,
];
