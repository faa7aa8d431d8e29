/** Manifest, index and layer media types of the OCI image spec and Docker's distribution formats. */
export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  inToto: 'application/vnd.in-toto+json',
} as const;

export const INDEX_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.dockerManifestList];
export const MANIFEST_TYPES: readonly string[] = [MediaType.ociManifest, MediaType.dockerManifest];
export const SCHEMA1_TYPES: readonly string[] = [MediaType.dockerSchema1, MediaType.dockerSchema1Signed, 'application/json'];

/** Every manifest type a registry client may accept, most preferred first. */
export const ACCEPTED_MANIFEST_TYPES: readonly string[] = [
  MediaType.ociIndex, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.dockerManifest,
  MediaType.dockerSchema1Signed, MediaType.dockerSchema1,
];
