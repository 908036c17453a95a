// The one kubeconfig writer: node components' files (certificates by path, never embedded — the
// same PEM is not carried twice in user_data, and a rotated file is picked up as it is), the
// joining workers' bootstrap token, kube-proxy's service-account token, and the administrator's
// kubeconfig that the stacks output (certificates embedded, as Terraform expressions).
//
// Values known only later (a token, a Terraform expression) are Text pieces: the YAML is written
// with placeholders and the pieces spliced in, so no such value ever passes through the YAML
// serializer (they are [a-z0-9.] tokens or base64, which need no quoting).
import { stringify } from "yaml";
import type { Text } from "../ignition/builder";

export interface KubeconfigSpec {
  cluster: string;
  /** the API server's URL (it may hold a Terraform expression: spliced in like the other values) */
  server: Text;
  /** the CA: a file on the machine, or its PEM base64-encoded */
  ca: { file: string } | { data: Text };
  user: string;
  credentials: { certFile: string; keyFile: string } | { certData: Text; keyData: Text } | { token: Text } | { tokenFile: string };
  namespace?: string;
}

/**
 * `kubectl` style (sequences not indented, as `kubectl config view` writes them) for the
 * administrator's file; node files are written as the YAML library does.
 */
export function kubeconfig(k: KubeconfigSpec, opts: { kubectlStyle?: boolean } = {}): Text {
  const pieces: Text[] = [];
  // a plain string goes in as it is; anything else through a placeholder the serializer leaves
  // alone: a bare one (base64, URLs) or, for a token YAML could misread as a number, a quoted one
  const hole = (t: Text, quoted = false): string => {
    if (typeof t === "string") return t;
    pieces.push(t);
    return quoted ? `@@KUBECONFIG${pieces.length - 1}@@` : `KUBECONFIGHOLE${pieces.length - 1}X`;
  };
  const c = k.credentials;
  const user =
    "certFile" in c
      ? { "client-certificate": c.certFile, "client-key": c.keyFile }
      : "certData" in c
        ? { "client-certificate-data": hole(c.certData), "client-key-data": hole(c.keyData) }
        : "token" in c
          ? { token: hole(c.token, true) }
          : { tokenFile: c.tokenFile };
  const text = stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: k.cluster,
          cluster: {
            server: hole(k.server),
            ...("file" in k.ca ? { "certificate-authority": k.ca.file } : { "certificate-authority-data": hole(k.ca.data) }),
          },
        },
      ],
      users: [{ name: k.user, user }],
      contexts: [{ name: k.cluster, context: { cluster: k.cluster, user: k.user, ...(k.namespace ? { namespace: k.namespace } : {}) } }],
      "current-context": k.cluster,
    },
    opts.kubectlStyle ? { indentSeq: false } : {},
  );
  const out: Text[] = [];
  let rest = text;
  const HOLE = /@@KUBECONFIG(\d+)@@|KUBECONFIGHOLE(\d+)X/;
  for (let m = HOLE.exec(rest); m; m = HOLE.exec(rest)) {
    out.push(rest.slice(0, m.index), pieces[Number(m[1] ?? m[2])] as Text);
    rest = rest.slice(m.index + m[0].length);
  }
  out.push(rest);
  return out.every((t) => typeof t === "string") ? out.join("") : out;
}

/** A kubeconfig with no deferred values, as a string. */
export function kubeconfigText(k: KubeconfigSpec): string {
  const t = kubeconfig(k);
  if (typeof t !== "string") throw new Error("this kubeconfig holds values known only later");
  return t;
}
