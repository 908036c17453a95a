// The Kubernetes releases Slipway knows, newest first: a minor and its latest patch as published on
// https://kubernetes.io/releases/ (the pages last seen: 1.37.1 and 1.35.9 of 2026-09-15; 1.36.5, whose
// images kubeadm lists; 1.34 reached its end of life on 2026-10-27 and is no longer offered). A version outside this table
// is refused: a file naming a patch that does not exist would only fail at first boot, when the
// images cannot be pulled. Raise the table when upstream releases.
export const KUBERNETES_RELEASES: readonly { minor: string; latestPatch: number }[] = [
  { minor: "1.37", latestPatch: 1 },
  { minor: "1.36", latestPatch: 5 },
  { minor: "1.35", latestPatch: 9 },
];

export const DEFAULT_KUBERNETES_VERSION = "1.36.1";

/** Why `v` is not a release Slipway knows, or undefined when it is one. */
export function kubernetesVersionProblem(v: string): string | undefined {
  const known = KUBERNETES_RELEASES.map((r) => (r.latestPatch === 0 ? `${r.minor}.0` : `${r.minor}.0–${r.minor}.${r.latestPatch}`)).join(
    ", ",
  );
  const m = /^(\d+\.\d+)\.(\d+)$/.exec(v);
  if (!m) return `must be a Kubernetes release such as ${DEFAULT_KUBERNETES_VERSION}, not "${v}"; known releases: ${known}`;
  const release = KUBERNETES_RELEASES.find((r) => r.minor === m[1]);
  if (!release) return `Kubernetes ${m[1]} is not a release Slipway supports; known releases, newest first: ${known}`;
  if (Number(m[2]) > release.latestPatch)
    return `Kubernetes ${v} is not released (the latest ${m[1]} is ${m[1]}.${release.latestPatch}); known releases, newest first: ${known}`;
  return undefined;
}
