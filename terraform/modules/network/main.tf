locals {
  name = "uja-vpc-${var.context.qualifier}"

  # Private subnets: /20 each at the start of the VPC; public (NAT only): /24 each at its end.
  private_cidrs = [for i, _ in var.availability_zones : cidrsubnet(var.vpc_cidr, 4, i)]
  public_cidrs  = [for i, _ in var.availability_zones : cidrsubnet(var.vpc_cidr, 8, 254 + i)]

  # Endpoint service names carry a "cn." prefix in the China partition.
  service_prefix = var.context.partition == "aws-cn" ? "cn.com.amazonaws" : "com.amazonaws"

  flow_log_group_name = "/aws/vpc/flow-logs/${local.name}"
  flow_log_group_arn  = "arn:${var.context.partition}:logs:${var.context.region}:${var.context.account_id}:log-group:${local.flow_log_group_name}"
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true # required by private DNS on interface endpoints
  tags                 = { Name = local.name }
}

# Taking over the default security group removes its rules: nothing may use it by accident.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${local.name}-default" }
}

resource "aws_subnet" "private" {
  count = length(var.availability_zones)

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.private_cidrs[count.index]
  availability_zone = var.availability_zones[count.index]
  tags              = { Name = "${local.name}-private-${var.availability_zones[count.index]}", Tier = "private" }
}

resource "aws_subnet" "public" {
  count = length(var.availability_zones)

  vpc_id                  = aws_vpc.this.id
  cidr_block              = local.public_cidrs[count.index]
  availability_zone       = var.availability_zones[count.index]
  map_public_ip_on_launch = false # only NAT gateways live here, with their own Elastic IPs
  tags                    = { Name = "${local.name}-public-${var.availability_zones[count.index]}", Tier = "public" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = local.name }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${local.name}-public" }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = length(aws_subnet.public)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  count = var.nat_gateway_count

  domain = "vpc"
  tags   = { Name = "${local.name}-nat-${var.availability_zones[count.index]}" }
}

resource "aws_nat_gateway" "this" {
  count = var.nat_gateway_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = { Name = "${local.name}-${var.availability_zones[count.index]}" }

  depends_on = [aws_internet_gateway.this]
}

# One route table per private subnet, so a second NAT gateway keeps each zone's egress in-zone.
resource "aws_route_table" "private" {
  count = length(var.availability_zones)

  vpc_id = aws_vpc.this.id
  tags   = { Name = "${local.name}-private-${var.availability_zones[count.index]}" }
}

resource "aws_route" "private_nat" {
  count = length(aws_route_table.private)

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[count.index % var.nat_gateway_count].id
}

resource "aws_route_table_association" "private" {
  count = length(aws_subnet.private)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

resource "aws_vpc_endpoint" "gateway" {
  for_each = toset(["s3", "dynamodb"])

  vpc_id            = aws_vpc.this.id
  service_name      = "${local.service_prefix}.${var.context.region}.${each.key}"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id
  tags              = { Name = "${local.name}-${each.key}" }
}

resource "aws_security_group" "endpoints" {
  name        = "uja-vpc-endpoints-${var.context.qualifier}"
  description = "Interface endpoints: HTTPS from the private subnets only"
  vpc_id      = aws_vpc.this.id
  tags        = { Name = "${local.name}-endpoints" }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_https" {
  count = length(local.private_cidrs)

  security_group_id = aws_security_group.endpoints.id
  description       = "HTTPS from private subnet ${var.availability_zones[count.index]}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = local.private_cidrs[count.index]
}

resource "aws_vpc_endpoint" "interface" {
  for_each = var.interface_endpoint_services

  vpc_id              = aws_vpc.this.id
  service_name        = "${local.service_prefix}.${var.context.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  tags                = { Name = "${local.name}-${each.key}" }
}

# Lambda functions and SageMaker: no inbound at all, outbound HTTPS only (AWS APIs through the
# endpoints, anything else through NAT).
resource "aws_security_group" "workload" {
  name        = "uja-vpc-workload-${var.context.qualifier}"
  description = "Lambda functions and SageMaker: outbound HTTPS only"
  vpc_id      = aws_vpc.this.id
  tags        = { Name = "${local.name}-workload" }
}

resource "aws_vpc_security_group_egress_rule" "workload_https" {
  security_group_id = aws_security_group.workload.id
  description       = "HTTPS to AWS APIs (endpoints, gateway prefix lists) and through NAT"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = local.flow_log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_key_arn
}

resource "aws_iam_role" "flow_logs" {
  name = "uja-vpc-flow-logs-${var.context.qualifier}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = var.context.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:${var.context.partition}:ec2:${var.context.region}:${var.context.account_id}:vpc-flow-log/*" }
      }
    }]
  })
}

resource "aws_iam_role_policy" "flow_logs" {
  name = "write-flow-log-group"
  role = aws_iam_role.flow_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = ["${local.flow_log_group_arn}:*"]
    }]
  })
}

resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn
  tags                 = { Name = local.name }
}
