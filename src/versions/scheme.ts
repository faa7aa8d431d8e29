/**
 * One version scheme (an ecosystem's rules for ordering versions), behind one interface so that
 * matching is the same code for every ecosystem. Each scheme lives in its own folder and is listed in
 * `registry.ts`; `compare` follows the ecosystem's reference implementation exactly (dpkg, apk-tools,
 * rpmvercmp, node-semver, packaging, Maven's ComparableVersion, Go's x/mod/semver, RubyGems, NuGet,
 * Composer) and passes its published vectors in ../shared/data/specs/versions/.
 */
export interface VersionScheme {
  /** `deb`, `apk`, `rpm`, `semver`, `npm`, `pep440`, `maven`, `go`, `gem`, `nuget`, `composer`. */
  name: string;
  /** -1, 0 or 1, as a < b, a == b, a > b. Throws InvalidVersionError for a version the scheme cannot read. */
  compare(a: string, b: string): -1 | 0 | 1;
  /** Whether `version` can be read by this scheme. */
  valid(version: string): boolean;
}

export class InvalidVersionError extends Error {
  constructor(readonly scheme: string, readonly version: string) {
    super(`invalid ${scheme} version ${JSON.stringify(version)}`);
    this.name = 'InvalidVersionError';
  }
}
