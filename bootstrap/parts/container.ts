// The long-running services that are containers under Flatcar's Docker — the etcd member, the
// etcd proxy, flannel, the local API load balancer — share one shape: a leftover container is
// removed first, the container runs with host networking, systemd restarts it always, and there is
// no start timeout (the first start pulls the image).
import type { IgnitionBuilder } from "../ignition/builder";
import { PATHS } from "./files";

export interface ContainerService {
  unit: string;
  container: string;
  description: string;
  documentation?: string;
  /** besides docker.service */
  requires?: string[];
  after: string[];
  wants: string[];
  /** read the pinned images from /etc/slipway/images.env (ETCD_IMAGE, FLANNEL_IMAGE) */
  imagesEnv?: boolean;
  /** more ExecStartPre commands, after the leftover container is removed */
  pre?: string[];
  privileged?: boolean;
  /** `docker run` lines after the fixed flags: volumes, the image, its command and flags */
  run: string[];
  reload?: string;
  /** grace period for `docker stop` (docker's default: 10 s) */
  stopSeconds?: number;
  /** more [Service] settings */
  service?: string[];
  /** more [Unit] settings */
  unitExtra?: string[];
}

export function containerService(b: IgnitionBuilder, s: ContainerService): void {
  const lines = [
    "[Unit]",
    `Description=${s.description}`,
    ...(s.documentation ? [`Documentation=${s.documentation}`] : []),
    `Requires=${["docker.service", ...(s.requires ?? [])].join(" ")}`,
    `After=${["docker.service", ...s.after].join(" ")}`,
    `Wants=${s.wants.join(" ")}`,
    ...(s.unitExtra ?? []),
    "",
    "[Service]",
    ...(s.imagesEnv ? [`EnvironmentFile=${PATHS.env}/images.env`] : []),
    `ExecStartPre=-/usr/bin/docker rm --force ${s.container}`,
    ...(s.pre ?? []).map((p) => `ExecStartPre=${p}`),
    `ExecStart=/usr/bin/docker run --rm --name ${s.container} --network host${s.privileged ? " --privileged" : ""} \\`,
    s.run.map((l) => `  ${l}`).join(" \\\n"),
    ...(s.reload ? [`ExecReload=${s.reload}`] : []),
    `ExecStop=/usr/bin/docker stop ${s.stopSeconds ? `--time ${s.stopSeconds} ` : ""}${s.container}`,
    "Restart=always",
    "RestartSec=5",
    "TimeoutStartSec=0",
    ...(s.service ?? []),
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ];
  b.unit(s.unit, lines.join("\n"), { enabled: true });
}

/** `${NAME}` for systemd to expand from the unit's environment (e.g. images.env's ETCD_IMAGE) */
export const unitVar = (name: string) => `\${${name}}`;
