// The VPC: the node network, a public subnet per zone (internet gateway) and, with privateSubnets,
// a private one per zone (a NAT gateway each, so a zone's outage never cuts another's egress).
// Every subnet reserves its first /26 — the plan's fixed addresses of etcd members and masters —
// so machines of Auto Scaling groups can never be given one of them. S3 is reached through a
// gateway endpoint.
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { Ec2SubnetCidrReservation } from "@cdktf/provider-aws/lib/ec2-subnet-cidr-reservation";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Fn, type TerraformStack, Token } from "cdktf";
import { OFFSETS, type Plan } from "../../clusters/model/plan";
import type { AwsClusterConfig } from "./cloud";
import { clusterTag } from "./iam";

export interface ClusterNetwork {
  vpc: Vpc;
  /** aligned with Plan.subnets */
  subnets: Subnet[];
  /** zone name of each zone index (an expression when only a count was given) */
  zones: string[];
}

/** The subnet of Plan.subnets index `i`. */
export function subnetOf(net: ClusterNetwork, i: number): Subnet {
  const s = net.subnets[i];
  if (!s) throw new Error(`no subnet ${i} in the plan`);
  return s;
}

export function network(stack: TerraformStack, config: AwsClusterConfig, plan: Plan): ClusterNetwork {
  const name = config.name;
  const given = config.aws.zones;
  const available = Array.isArray(given) ? undefined : new DataAwsAvailabilityZones(stack, "zones", { state: "available" });
  const zones = Array.from({ length: plan.zones }, (_, i) =>
    Array.isArray(given) ? (given[i] as string) : Token.asString(Fn.element(available?.names ?? [], i)),
  );

  const vpc = new Vpc(stack, "vpc", { cidrBlock: plan.nodes.text, enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: name } });
  const igw = new InternetGateway(stack, "internet_gateway", { vpcId: vpc.id, tags: { Name: name } });
  const publicRoutes = new RouteTable(stack, "public_routes", {
    vpcId: vpc.id,
    route: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
    tags: { Name: `${name}-public` },
  });

  const subnets: Subnet[] = [];
  plan.subnets.forEach((cidr, i) => {
    const isPublic = plan.publicSubnets.includes(i);
    const zone = isPublic ? plan.publicSubnets.indexOf(i) : plan.privateSubnets.indexOf(i);
    const kind = isPublic ? "public" : "private";
    const subnet = new Subnet(stack, `subnet_${kind}_${zone}`, {
      vpcId: vpc.id,
      cidrBlock: cidr.text,
      availabilityZone: zones[zone],
      // public-subnet machines without an Elastic IP still need egress (images)
      mapPublicIpOnLaunch: isPublic,
      tags: { Name: `${name}-${kind}-${zone}`, [`kubernetes.io/role/${isPublic ? "elb" : "internal-elb"}`]: "1", ...clusterTag(name) },
    });
    subnets.push(subnet);
    new Ec2SubnetCidrReservation(stack, `fixed_addresses_${kind}_${zone}`, {
      subnetId: subnet.id,
      cidrBlock: `${cidr.text.split("/")[0]}/${32 - Math.log2(OFFSETS.pools)}`,
      reservationType: "explicit",
      description: "slipway: fixed addresses of etcd members and masters",
    });
    if (isPublic) new RouteTableAssociation(stack, `public_routes_${zone}`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
  });

  // private subnets: egress through a NAT gateway in the same zone
  const routeTables = [publicRoutes];
  plan.privateSubnets.forEach((index, zone) => {
    const eip = new Eip(stack, `nat_${zone}_ip`, { domain: "vpc", tags: { Name: `${name}-nat-${zone}` } });
    const nat = new NatGateway(stack, `nat_${zone}`, {
      allocationId: eip.id,
      subnetId: subnetOf({ vpc, subnets, zones }, plan.publicSubnets[zone] ?? -1).id,
      tags: { Name: `${name}-${zone}` },
      dependsOn: [igw],
    });
    const routes = new RouteTable(stack, `private_routes_${zone}`, {
      vpcId: vpc.id,
      route: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
      tags: { Name: `${name}-private-${zone}` },
    });
    new RouteTableAssociation(stack, `private_routes_assoc_${zone}`, {
      subnetId: subnetOf({ vpc, subnets, zones }, index).id,
      routeTableId: routes.id,
    });
    routeTables.push(routes);
  });
  // S3 inside the region without the NAT gateways or the internet: machine configs, etcd backups
  // (free of NAT data charges, and never on a public address). A gateway endpoint is a route to
  // S3's prefix list in each route table; any bucket stays reachable, as through the NAT.
  new VpcEndpoint(stack, "s3_endpoint", {
    vpcId: vpc.id,
    serviceName: `com.amazonaws.${config.aws.region}.s3`,
    vpcEndpointType: "Gateway",
    routeTableIds: routeTables.map((r) => r.id),
    tags: { Name: `${name}-s3` },
  });
  return { vpc, subnets, zones };
}
