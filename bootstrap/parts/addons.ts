// On masters: the addon bundle (bootstrap/addons/bundle.ts) and slipway-addons.service, which
// applies it once the API answers — the same once-per-version protocol as the bootstrap objects
// (scripts/kube-bootstrap.sh), under a record of its own (kube-system/slipway-addons), so that
// waiting for an addon's CRDs never holds back what nodes need to join.
import { ADDONS_DIR, addonBundle, bundleText, fillSecrets } from "../addons/bundle";
import type { Text } from "../ignition/builder";
import type { Part } from "../node";
import { applyOnceUnit } from "./kube-bootstrap";

export const addonsPart: Part = {
  name: "addons",
  apply(b, ctx) {
    const files = addonBundle(ctx.cluster);
    if (files.length === 0) return;
    b.directory(ADDONS_DIR, 0o700);
    for (const f of files) {
      const path = `${ADDONS_DIR}/${f.name}`;
      if (f.remote) {
        b.remoteFile(path, f.remote.url, `sha512-${f.remote.sha512}`, 0o600);
        continue;
      }
      const values = (f.secrets ?? []).map((name) => [name, ctx.values.addonSecret(name)] as const);
      // a credential this path cannot know (a cloud's, when rendering): the Secret stays out
      if (values.some(([, v]) => v === undefined)) continue;
      const known = new Map(values);
      b.file(
        path,
        fillSecrets(bundleText(f), f.secrets, (name) => known.get(name) as Text),
        { mode: 0o600 },
      );
    }
    applyOnceUnit(b, ctx, {
      name: "slipway-addons.service",
      description: "Install the cluster's addons: helm-controller and one HelmChart per addon, once per version",
      after: "kube-bootstrap.service",
      dir: ADDONS_DIR,
      env: { BOOTSTRAP_RECORD: "slipway-addons", BOOTSTRAP_WHAT: "slipway-addons", BOOTSTRAP_OBJECTS: "addons" },
    });
  },
};
