// Where Flatcar publishes a release's OpenStack image and the files that vouch for it:
//   https://<channel>.release.flatcar-linux.net/<arch>-usr/<version|current>/
//     flatcar_production_openstack_image.img      (qcow2; older releases: .img.bz2)
//     <image>.DIGESTS, <image>.DIGESTS.asc         (md5/sha1/sha512, and its detached signature)
//     version.txt                                  (FLATCAR_VERSION=…)
export const CHANNELS = ["stable", "beta", "alpha", "lts"] as const;
export type Channel = (typeof CHANNELS)[number];
export type Arch = "amd64" | "arm64";

export const IMAGE_FILE = "flatcar_production_openstack_image.img";

export interface ReleaseRef {
  channel: Channel;
  /** a version such as 4230.2.3, or "current" */
  version: string;
  arch: Arch;
  /** override of https://<channel>.release.flatcar-linux.net (mirrors, tests) */
  baseUrl?: string;
}

export function releaseDir(r: ReleaseRef): string {
  const base = (r.baseUrl ?? `https://${r.channel}.release.flatcar-linux.net`).replace(/\/+$/, "");
  return `${base}/${r.arch}-usr/${r.version}/`;
}

/** FLATCAR_VERSION from version.txt. */
export function parseVersionTxt(text: string): string | undefined {
  return /^FLATCAR_VERSION=([0-9.]+)\s*$/m.exec(text)?.[1];
}

/** The SHA-512 of `file` from a DIGESTS file (the lines after "# SHA512 HASH"). */
export function sha512FromDigests(text: string, file: string): string | undefined {
  let inSha512 = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) {
      inSha512 = /SHA512/i.test(line);
      continue;
    }
    const m = /^([0-9a-f]{128})\s+\*?(\S+)$/.exec(line.trim());
    if (inSha512 && m && m[2] === file) return m[1];
  }
  return undefined;
}
