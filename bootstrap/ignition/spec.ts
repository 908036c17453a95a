// The subset of the Ignition configuration specification v3.3.0 that Slipway writes.
// Spec 3.3.0 because current Flatcar boots it and Debian's ignition-validate 2.14 checks it
// (2.14 rejects 3.4.0). Field names are the spec's own; see
// https://coreos.github.io/ignition/configuration-v3_3/

export const IGNITION_VERSION = "3.3.0";

export interface Resource {
  /** data:, http(s): URL */
  source?: string;
  compression?: "gzip";
  verification?: { hash?: string };
}

export interface NodeUser {
  id?: number;
  name?: string;
}

export interface File {
  path: string;
  overwrite?: boolean;
  contents?: Resource;
  mode?: number;
  user?: NodeUser;
  group?: NodeUser;
}

export interface Directory {
  path: string;
  overwrite?: boolean;
  mode?: number;
  user?: NodeUser;
  group?: NodeUser;
}

export interface Link {
  path: string;
  target: string;
  hard?: boolean;
  overwrite?: boolean;
}

export interface Filesystem {
  device: string;
  format?: "ext4" | "xfs" | "btrfs" | "vfat" | "swap" | "none";
  path?: string;
  label?: string;
  wipeFilesystem?: boolean;
  options?: string[];
  mountOptions?: string[];
}

export interface Dropin {
  name: string;
  contents: string;
}

export interface Unit {
  name: string;
  enabled?: boolean;
  mask?: boolean;
  contents?: string;
  dropins?: Dropin[];
}

export interface PasswdUser {
  name: string;
  sshAuthorizedKeys?: string[];
  groups?: string[];
}

export interface Config {
  ignition: { version: typeof IGNITION_VERSION };
  storage?: { files?: File[]; directories?: Directory[]; links?: Link[]; filesystems?: Filesystem[] };
  systemd?: { units?: Unit[] };
  passwd?: { users?: PasswdUser[] };
}
