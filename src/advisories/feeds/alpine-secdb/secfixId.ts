// The ids written in a `secfixes` list. Mostly one CVE id, but the aports data also has several ids in
// one string (`CVE-2019-17349 CVE-2019-17350 XSA-295`), a CVE with its vendor advisory
// (`CVE-2020-11501 GNUTLS-SA-2020-03-31`), trailing notes (`CVE-2018-14461 (LDP)`), non-CVE ids alone
// (`XSA-207`, `GHSA-…`, `RUSTSEC-…`) and typos (`CVE-46838`, `CVE-2021-35940.patch`, `CVE-????-?????`).

const CVE = /^CVE-\d{4}-\d{4,}$/;
/** An advisory id of another issuer: letters, then dash-separated parts (`XSA-295`, `GNUTLS-SA-2020-03-31`, `GHSA-h5c8-rqwp-cp95`). */
const OTHER_ID = /^[A-Z][A-Z]*(?:-[A-Za-z0-9]+)+$|^DW\d{6}-\d{3}$/;

export type SecfixIds = { ids: string[]; aliases: string[]; note?: string } | { problem: string };

export function secfixIds(text: string): SecfixIds {
  const noteAt = text.indexOf('(');
  const note = noteAt >= 0 ? text.slice(noteAt).trim().replace(/^\((.*)\)$/, '$1') : undefined;
  const tokens = (noteAt >= 0 ? text.slice(0, noteAt) : text).trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { problem: `no id in ${JSON.stringify(text)}` };
  const malformed = tokens.find((token) => (token.startsWith('CVE') && !CVE.test(token)) || (!CVE.test(token) && !OTHER_ID.test(token)));
  if (malformed !== undefined) return { problem: `malformed id ${JSON.stringify(malformed)} in ${JSON.stringify(text)}` };
  const cves = tokens.filter((token) => CVE.test(token));
  // With a CVE, the other ids are its aliases; without one, the single other id names the issue itself.
  if (cves.length > 0) return { ids: cves, aliases: tokens.filter((token) => !CVE.test(token)), note };
  if (tokens.length === 1) return { ids: tokens, aliases: [], note };
  return { problem: `several ids and no CVE in ${JSON.stringify(text)}` };
}
