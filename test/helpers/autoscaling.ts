// A local stand-in for the three Auto Scaling API calls `slipway shrink` makes on AWS (no AWS
// here), on 127.0.0.1, written from the API reference (Query protocol, version 2011-01-01: a
// form-encoded POST, an XML answer): DescribeAutoScalingGroups, UpdateAutoScalingGroup (MinSize,
// MaxSize, DesiredCapacity) and TerminateInstanceInAutoScalingGroup — refused, as AWS refuses it,
// when decrementing the desired capacity would go below the group's minimum. A terminated
// instance is Terminating for one describe, then gone. Requests must be SigV4-signed for the
// autoscaling service (the signature itself is not checked). The SDK finds it through
// AWS_ENDPOINT_URL_AUTO_SCALING.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInGroup {
  name: string;
  min: number;
  max: number;
  desired: number;
  instances: { id: string; zone: string; state: "InService" | "Terminating" }[];
}

export interface AutoScalingStandIn {
  url: string;
  groups: Map<string, StandInGroup>;
  /** "Action k=v …" in the order the calls came */
  calls: string[];
  /** answer every call with this error code (e.g. AccessDenied) while set */
  failWith?: string;
  close(): Promise<void>;
}

const xml = (s: string | number | boolean) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

export async function autoScalingStandIn(groups: StandInGroup[]): Promise<AutoScalingStandIn> {
  const state: AutoScalingStandIn = {
    url: "",
    groups: new Map(groups.map((g) => [g.name, g])),
    calls: [],
    close: () => new Promise((r) => server.close(() => r())),
  };
  const shown = new Set<string>();
  const answer = (action: string, result: string) =>
    `<?xml version="1.0"?>\n<${action}Response xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">${result ? `<${action}Result>${result}</${action}Result>` : ""}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
  const error = (code: string, message: string) =>
    `<?xml version="1.0"?>\n<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const send = (code: number, body: string) => {
        res.writeHead(code, { "content-type": "text/xml" });
        res.end(body);
      };
      const form = new URLSearchParams(raw);
      const action = form.get("Action") ?? "";
      state.calls.push(
        [
          action,
          ...[...form]
            .filter(([k]) => k !== "Action" && k !== "Version")
            .map(([k, v]) => `${k}=${v}`)
            .sort(),
        ].join(" "),
      );
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/autoscaling\/aws4_request/.test(req.headers.authorization ?? ""))
        return send(403, error("IncompleteSignature", "the request is not signed for autoscaling"));
      if (state.failWith) return send(403, error(state.failWith, "User: arn:aws:iam::111122223333:user/ops is not authorized"));
      if (action === "DescribeAutoScalingGroups") {
        const names = [...form].filter(([k]) => k.startsWith("AutoScalingGroupNames.member.")).map(([, v]) => v);
        const found = [...state.groups.values()].filter((g) => names.includes(g.name));
        // a Terminating instance, once seen so, is gone at the next look
        for (const g of found) {
          g.instances = g.instances.filter((i) => !(i.state === "Terminating" && shown.has(i.id)));
          for (const i of g.instances) if (i.state === "Terminating") shown.add(i.id);
        }
        const members = found
          .map(
            (g) =>
              `<member><AutoScalingGroupName>${xml(g.name)}</AutoScalingGroupName><MinSize>${g.min}</MinSize><MaxSize>${g.max}</MaxSize><DesiredCapacity>${g.desired}</DesiredCapacity><Instances>${g.instances
                .map(
                  (i) =>
                    `<member><InstanceId>${i.id}</InstanceId><AvailabilityZone>${i.zone}</AvailabilityZone><LifecycleState>${i.state}</LifecycleState><HealthStatus>Healthy</HealthStatus><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>`,
                )
                .join("")}</Instances></member>`,
          )
          .join("");
        return send(200, answer(action, `<AutoScalingGroups>${members}</AutoScalingGroups>`));
      }
      if (action === "UpdateAutoScalingGroup") {
        const g = state.groups.get(form.get("AutoScalingGroupName") ?? "");
        if (!g) return send(400, error("ValidationError", "AutoScalingGroup name not found"));
        for (const [k, f] of [
          ["MinSize", "min"],
          ["MaxSize", "max"],
          ["DesiredCapacity", "desired"],
        ] as const)
          if (form.has(k)) g[f] = Number(form.get(k));
        return send(200, answer(action, ""));
      }
      if (action === "TerminateInstanceInAutoScalingGroup") {
        const id = form.get("InstanceId") ?? "";
        const g = [...state.groups.values()].find((x) => x.instances.some((i) => i.id === id && i.state === "InService"));
        if (!g) return send(400, error("ValidationError", `Instance Id not found - No managed instance found for instance ID: ${id}`));
        if (form.get("ShouldDecrementDesiredCapacity") === "true") {
          if (g.desired - 1 < g.min)
            return send(
              400,
              error(
                "ValidationError",
                `Currently, desiredSize equals minSize (${g.min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
              ),
            );
          g.desired -= 1;
        }
        const inst = g.instances.find((i) => i.id === id) as StandInGroup["instances"][number];
        inst.state = "Terminating";
        return send(
          200,
          answer(
            action,
            `<Activity><ActivityId>${randomUUID()}</ActivityId><AutoScalingGroupName>${xml(g.name)}</AutoScalingGroupName><Cause>terminated by request</Cause><StartTime>2026-12-02T12:00:00Z</StartTime><StatusCode>InProgress</StatusCode><Progress>0</Progress></Activity>`,
          ),
        );
      }
      send(400, error("InvalidAction", `${action} is not served by this stand-in`));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
