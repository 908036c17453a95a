// The control plane on every master: kube-apiserver, kube-controller-manager and kube-scheduler
// as static pods of the pinned upstream images, built as typed Pod objects. The API server
// reaches etcd through the machine's own etcd proxy; the controller-manager and scheduler use
// leader election and talk to the API through the local load balancer. RBAC and the Node
// authorizer are on; kubelets are reached with a client certificate of their own.
import { Pod } from "kubernetes-models/v1/Pod";
import { PORTS } from "../../clusters/model/ports";
import { kubeconfig } from "../kube/kubeconfig";
import type { NodeContext, Part } from "../node";
import { FRONT_PROXY_CA, KUBE_CA, SERVICE_ACCOUNT, SUPER_ADMIN } from "../pki/spec";
import { imageRef, kubeImage } from "../versions";
import { API_LB_SERVER } from "./api-lb";
import {
  AUDIT_DIR,
  admissionConfig,
  APISERVER_DIR,
  APISERVER_FILES,
  apiserverConfigFlags,
  auditPolicy,
  authenticationConfig,
  encryptionConfig,
} from "./apiserver-config";
import { certPair, PATHS } from "./files";

const pki = (f: string) => `${PATHS.kubePki}/${f}`;
export const KUBECONFIGS = {
  controllerManager: `${PATHS.kube}/controller-manager.conf`,
  scheduler: `${PATHS.kube}/scheduler.conf`,
  /**
   * system:masters, for the masters' own bootstrap work only (kube-bootstrap creates the RBAC the
   * day-to-day admin needs; join-tokens, approve-csrs). kubeadm's super-admin.conf.
   */
  superAdmin: `${PATHS.kube}/super-admin.conf`,
} as const;

type Mount = { name: string; path: string; type: "Directory" | "File" | "DirectoryOrCreate"; writable?: boolean };

/**
 * The controller-manager and the scheduler run as users of their own (their secure ports as ids,
 * no such user exists on Flatcar): the files they read are theirs (Ignition sets the owner;
 * kube-certs the owner of the keys it issues). The API server stays root: it binds no low port,
 * but reads etcd's and every CA's files, which stay root's.
 */
export const CONTROL_PLANE_USERS = { "kube-controller-manager": 10257, "kube-scheduler": 10259 } as const;
const asUser = (name: keyof typeof CONTROL_PLANE_USERS) => ({ user: { id: CONTROL_PLANE_USERS[name] } });
const PKI_MOUNTS: Mount[] = [
  { name: "pki", path: PATHS.kubePki, type: "Directory" },
  { name: "ca-certs", path: "/etc/ssl/certs", type: "Directory" },
];

function staticPod(name: string, image: string, args: string[], mounts: Mount[], probe: { port: number; path: string }): Pod {
  const uid = (CONTROL_PLANE_USERS as Record<string, number>)[name];
  const httpGet = { host: "127.0.0.1", port: probe.port, path: probe.path, scheme: "HTTPS" as const };
  const pod = new Pod({
    metadata: { name, namespace: "kube-system", labels: { component: name, tier: "control-plane" } },
    spec: {
      hostNetwork: true,
      priorityClassName: "system-node-critical",
      priority: 2000001000,
      securityContext: {
        seccompProfile: { type: "RuntimeDefault" },
        ...(uid ? { runAsUser: uid, runAsGroup: uid, runAsNonRoot: true } : {}),
      },
      containers: [
        {
          name,
          image,
          command: [name, ...args],
          resources: { requests: { cpu: name === "kube-apiserver" ? "250m" : "100m" } },
          // a slow first start (etcd still electing, a cold image cache) is not a failure: four
          // minutes to come up, then the liveness probe takes over
          startupProbe: { httpGet, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 24 },
          livenessProbe: { httpGet, periodSeconds: 10, timeoutSeconds: 15, failureThreshold: 8 },
          ...(uid ? { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } } : {}),
          volumeMounts: mounts.map((m) => ({ name: m.name, mountPath: m.path, readOnly: !m.writable })),
        },
      ],
      volumes: mounts.map((m) => ({ name: m.name, hostPath: { path: m.path, type: m.type } })),
    },
  });
  pod.validate();
  return pod;
}

export function apiserverPod(ctx: NodeContext): Pod {
  const { config } = ctx.cluster;
  const node = ctx.node;
  if (!node) throw new Error("the API server runs on a planned master");
  return staticPod(
    "kube-apiserver",
    imageRef(kubeImage("kube-apiserver", config.kubernetes.version)),
    [
      `--advertise-address=${node.ip}`,
      `--secure-port=${PORTS.apiserver}`,
      "--allow-privileged=true",
      "--authorization-mode=Node,RBAC",
      "--enable-admission-plugins=NodeRestriction",
      "--enable-bootstrap-token-auth=true",
      `--client-ca-file=${pki("ca.crt")}`,
      `--tls-cert-file=${pki("apiserver.crt")}`,
      `--tls-private-key-file=${pki("apiserver.key")}`,
      // the members themselves, all of them (the client fails over): etcd's grpc-proxy drops
      // watch progress requests, which consistent reads from the watch cache rely on (1.34+)
      `--etcd-servers=${ctx.cluster.plan.etcd.map((m) => `https://${m.ip}:${PORTS.etcdClient}`).join(",")}`,
      `--etcd-cafile=${PATHS.etcdTls}/ca.crt`,
      `--etcd-certfile=${pki("apiserver-etcd-client.crt")}`,
      `--etcd-keyfile=${pki("apiserver-etcd-client.key")}`,
      `--kubelet-client-certificate=${pki("apiserver-kubelet-client.crt")}`,
      `--kubelet-client-key=${pki("apiserver-kubelet-client.key")}`,
      "--kubelet-preferred-address-types=InternalIP,Hostname",
      `--proxy-client-cert-file=${pki("front-proxy-client.crt")}`,
      `--proxy-client-key-file=${pki("front-proxy-client.key")}`,
      `--requestheader-client-ca-file=${pki("front-proxy-ca.crt")}`,
      "--requestheader-allowed-names=front-proxy-client",
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-username-headers=X-Remote-User",
      `--service-account-issuer=https://kubernetes.default.svc.${config.kubernetes.clusterDomain}`,
      `--service-account-key-file=${pki("sa.pub")}`,
      `--service-account-signing-key-file=${pki("sa.key")}`,
      `--service-cluster-ip-range=${config.network.services}`,
      "--profiling=false",
      ...apiserverConfigFlags(ctx),
    ],
    [
      ...PKI_MOUNTS,
      { name: "etcd-certs", path: PATHS.etcdTls, type: "Directory" },
      { name: "config", path: APISERVER_DIR, type: "Directory" },
      { name: "audit", path: AUDIT_DIR, type: "DirectoryOrCreate", writable: true },
    ],
    { port: PORTS.apiserver, path: "/livez" },
  );
}

export function controllerManagerPod(ctx: NodeContext): Pod {
  const { config } = ctx.cluster;
  const kc = KUBECONFIGS.controllerManager;
  return staticPod(
    "kube-controller-manager",
    imageRef(kubeImage("kube-controller-manager", config.kubernetes.version)),
    [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      "--bind-address=127.0.0.1",
      `--client-ca-file=${pki("ca.crt")}`,
      `--cluster-name=${config.name}`,
      // signs the kubelets' certificate requests (TLS bootstrapping and rotation)
      `--cluster-signing-cert-file=${pki("ca.crt")}`,
      `--cluster-signing-key-file=${pki("ca.key")}`,
      "--controllers=*,bootstrapsigner,tokencleaner",
      "--leader-elect=true",
      `--requestheader-client-ca-file=${pki("front-proxy-ca.crt")}`,
      `--root-ca-file=${pki("ca.crt")}`,
      `--service-account-private-key-file=${pki("sa.key")}`,
      `--service-cluster-ip-range=${config.network.services}`,
      "--use-service-account-credentials=true",
      "--profiling=false",
    ],
    [...PKI_MOUNTS, { name: "kubeconfig", path: kc, type: "File" }],
    { port: 10257, path: "/healthz" },
  );
}

export function schedulerPod(ctx: NodeContext): Pod {
  const kc = KUBECONFIGS.scheduler;
  return staticPod(
    "kube-scheduler",
    imageRef(kubeImage("kube-scheduler", ctx.cluster.config.kubernetes.version)),
    [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      "--bind-address=127.0.0.1",
      "--leader-elect=true",
      "--profiling=false",
    ],
    [...PKI_MOUNTS, { name: "kubeconfig", path: kc, type: "File" }],
    { port: 10259, path: "/healthz" },
  );
}

export const controlPlanePart: Part = {
  name: "control-plane",
  apply(b, ctx) {
    const node = ctx.node;
    if (!node) throw new Error("the control plane runs on a planned master");
    const dir = PATHS.kubePki;
    // the cluster CA's key: the controller-manager signs kubelet certificates with it
    b.file(`${dir}/ca.key`, ctx.values.pem(KUBE_CA, "key"), { mode: 0o600, ...asUser("kube-controller-manager") });
    b.file(`${dir}/front-proxy-ca.crt`, ctx.values.pem(FRONT_PROXY_CA, "cert"), { mode: 0o644 });
    // the controller-manager signs service-account tokens with it; the public key is derived on
    // the machine (kube-certs)
    b.file(`${dir}/sa.key`, ctx.values.pem(SERVICE_ACCOUNT, "key"), { mode: 0o600, ...asUser("kube-controller-manager") });
    // the only control-plane certificate from outside: the etcd CA's key is not on masters
    certPair(b, ctx, "apiserver-etcd-client", "apiserver-etcd-client", dir);

    const cluster = ctx.cluster.config.name;
    const kc = (user: string, cert: string) =>
      kubeconfig({
        cluster,
        server: API_LB_SERVER,
        ca: { file: `${dir}/ca.crt` },
        user,
        credentials: { certFile: `${dir}/${cert}.crt`, keyFile: `${dir}/${cert}.key` },
      });
    b.file(KUBECONFIGS.controllerManager, kc("system:kube-controller-manager", "controller-manager"), {
      mode: 0o600,
      ...asUser("kube-controller-manager"),
    });
    b.file(KUBECONFIGS.scheduler, kc("system:kube-scheduler", "scheduler"), { mode: 0o600, ...asUser("kube-scheduler") });

    b.directory(APISERVER_DIR, 0o700);
    b.file(APISERVER_FILES.encryption, encryptionConfig(ctx.values.encryptionKey), { mode: 0o600 });
    b.file(APISERVER_FILES.authentication, `${JSON.stringify(authenticationConfig())}\n`, { mode: 0o600 });
    b.file(APISERVER_FILES.admission, `${JSON.stringify(admissionConfig(ctx))}\n`, { mode: 0o600 });
    b.file(APISERVER_FILES.auditPolicy, `${JSON.stringify(auditPolicy())}\n`, { mode: 0o600 });
    b.directory(AUDIT_DIR, 0o700);
    b.file(KUBECONFIGS.superAdmin, kc("slipway-super-admin", SUPER_ADMIN), { mode: 0o600 });

    for (const pod of [apiserverPod(ctx), controllerManagerPod(ctx), schedulerPod(ctx)])
      b.file(`${PATHS.manifests}/${pod.metadata?.name}.json`, `${JSON.stringify(pod.toJSON())}\n`, { mode: 0o600 });
  },
};
